import { colorName, dominantColors, imageProperties, imageQuality, regionQuality, type RgbImage } from './image-measures';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data.set(pixel(x, y), (y * width + x) * 3);
  return { data, width, height };
}

const flat = (v: number) => image(200, 150, () => [v, v, v]);
/** A 4 px checkerboard, small enough to be measured unscaled: the sharpest detail there is. */
const checker = image(128, 96, (x, y) => ((Math.floor(x / 4) + Math.floor(y / 4)) % 2 ? [255, 255, 255] : [0, 0, 0]));
/** A soft horizontal ramp: detail-free, so not sharp. */
const ramp = image(200, 150, (x) => [Math.round((x / 199) * 255), Math.round((x / 199) * 255), Math.round((x / 199) * 255)]);

describe('image measures', () => {
  it('brightness is the mean luma, 0..100', () => {
    expect(imageQuality(flat(0)).brightness).toBe(0);
    expect(imageQuality(flat(255)).brightness).toBe(100);
    expect(imageQuality(flat(128)).brightness).toBeCloseTo(50.2, 1);
    expect(imageQuality(checker).brightness).toBeCloseTo(50, 0);
  });

  it('sharpness is high on fine detail, low on flat or smooth regions', () => {
    expect(imageQuality(flat(90)).sharpness).toBe(0);
    expect(imageQuality(ramp).sharpness).toBeLessThan(5);
    expect(imageQuality(checker).sharpness).toBeGreaterThan(95);
  });

  it('contrast is 0 on a flat image and 100 on half black, half white', () => {
    expect(imageQuality(flat(200)).contrast).toBe(0);
    expect(imageQuality(checker).contrast).toBeCloseTo(100, 0);
  });

  it('measures a region on its own pixels only', () => {
    const half = image(200, 100, (x) => (x < 100 ? [250, 250, 250] : [10, 10, 10]));
    expect(regionQuality(half, { x: 0, y: 0, width: 100, height: 100 }).brightness).toBeCloseTo(98, 0);
    expect(regionQuality(half, { x: 100, y: 0, width: 100, height: 100 }).brightness).toBeCloseTo(3.9, 0);
    // A box reaching past the image is clipped to it.
    expect(regionQuality(half, { x: 150, y: -20, width: 100, height: 200 }).brightness).toBeCloseTo(3.9, 0);
  });

  it('names colours with simple CSS names', () => {
    expect(colorName(250, 10, 10)).toBe('red');
    expect(colorName(10, 20, 240)).toBe('blue');
    expect(colorName(250, 250, 250)).toBe('white');
    expect(colorName(5, 5, 5)).toBe('black');
    expect(colorName(30, 140, 30)).toBe('green');
  });

  it('gives dominant colours by share of pixels, with their mean hex', () => {
    const flag = image(300, 100, (x) => (x < 200 ? [200, 0, 0] : [0, 0, 120]));
    const colors = dominantColors(flag);
    expect(colors.map((c) => c.name)).toEqual(['red', 'navy']);
    expect(colors[0]).toEqual({ hex: '#C80000', name: 'red', pixelPercent: expect.closeTo(66.7, 0) });
    expect(colors[1].hex).toBe('#000078');
    const { dominantColors: all, quality } = imageProperties(flag);
    expect(all).toEqual(colors);
    expect(Object.keys(quality)).toEqual(['brightness', 'sharpness', 'contrast']);
  });
});
