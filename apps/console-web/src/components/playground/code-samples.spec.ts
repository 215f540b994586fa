import { describe, expect, it } from '@jest/globals';
import { codeSamples } from './code-samples';

const photo = (name: string, type = 'image/jpeg') => new File([new Uint8Array([1, 2, 3])], name, { type });

describe('the Code samples of a playground call', () => {
  it('name the real gateway URL and path, the multipart fields of API.md, and the key only as NOMOSLY_KEY', () => {
    const samples = codeSamples('https://api.example.com/', 'faces.compare', [photo('me.jpg'), photo('crowd.png', 'image/png')]);
    expect(samples.map((sample) => sample.language)).toEqual(['curl', 'JavaScript', 'Python']);
    for (const { code } of samples) {
      expect(code).toContain('https://api.example.com/v1/faces/compare');
      expect(code).not.toContain('.com//v1');
      expect(code).toMatch(/NOMOSLY_KEY/);
      expect(code).not.toMatch(/nk_live_/);
    }
    const [curl, javascript, python] = samples.map((sample) => sample.code);
    expect(curl).toContain(`-F 'source=@me.jpg;type=image/jpeg'`);
    expect(curl).toContain(`-F 'target=@crowd.png;type=image/png'`);
    expect(curl).toContain('-H "Authorization: Bearer $NOMOSLY_KEY"');
    expect(javascript).toContain(`form.append('target', new Blob([await readFile('crowd.png')], { type: 'image/png' }), 'crowd.png');`);
    expect(javascript).toContain('Bearer ${process.env.NOMOSLY_KEY}');
    expect(python).toContain(`"source": ("me.jpg", source, "image/jpeg"), "target": ("crowd.png", target, "image/png")`);
    expect(python).toContain(`f"Bearer {os.environ['NOMOSLY_KEY']}"`);
  });

  it('use a stand-in name for a file whose name would break the quoting, and before any file is picked', () => {
    const [curl, , python] = codeSamples('http://127.0.0.1:3000', 'labels.detect', [photo(`it's "mine".jpg`)]).map((sample) => sample.code);
    expect(curl).toContain(`-F 'image=@image.jpg;type=image/jpeg'`);
    expect(python).toContain('open("image.jpg", "rb") as image');
    const [unpicked] = codeSamples('http://127.0.0.1:3000', 'text.detect', [undefined]).map((sample) => sample.code);
    expect(unpicked).toContain(`curl -X POST 'http://127.0.0.1:3000/v1/text/detect'`);
    expect(unpicked).toContain(`-F 'image=@image.jpg;type=image/jpeg'`);
  });
});
