import sharp from 'sharp';
import { containsMarker } from './stores';
import { fixture, withMarker } from './images';

describe('marker images', () => {
  it.each(['astronaut.png', 'grace_hopper.jpg'])('%s keeps its pixels and carries the marker', async (name) => {
    const { image, marker } = await withMarker(name);
    expect(image.includes(marker)).toBe(true);
    const [before, after] = await Promise.all([sharp(fixture(name)).raw().toBuffer(), sharp(image).raw().toBuffer()]);
    expect(after.equals(before)).toBe(true);
  });

  it('finds the marker raw and base64-encoded at any alignment', async () => {
    const { image, marker } = await withMarker('astronaut.png');
    expect(containsMarker(image, marker)).toBe(true);
    for (const pad of [0, 1, 2]) {
      expect(containsMarker(Buffer.concat([Buffer.alloc(pad), image]).toString('base64'), marker)).toBe(true);
    }
    expect(containsMarker(fixture('astronaut.png').toString('base64'), marker)).toBe(false);
  });
});
