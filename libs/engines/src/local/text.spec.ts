import type { Page } from 'tesseract.js';
import { toTextResult } from './text';

type Word = { text: string; confidence: number; bbox: { x0: number; y0: number; x1: number; y1: number } };
const word = (text: string, confidence: number, x0: number): Word => ({ text, confidence, bbox: { x0, y0: 10, x1: x0 + 40, y1: 30 } });
const page = (lines: Word[][]): Page => ({ blocks: [{ paragraphs: [{ lines: lines.map((words) => ({ words })) }] }] }) as unknown as Page;

describe('toTextResult', () => {
  it('lists LINEs then WORDs, lines built only from the words kept', () => {
    const result = toTextResult(
      page([
        [word('Hello', 95, 0), word('~', 92, 50), word('world', 90, 100), word('xz', 40, 150)],
        [word('=', 99, 0), word('|', 80, 50)],
        [word('2024', 88, 0)],
      ]),
      200,
      100,
    );
    expect(result.text.map((t) => `${t.type}:${t.text}`)).toEqual(['LINE:Hello world', 'LINE:2024', 'WORD:Hello', 'WORD:world', 'WORD:2024']);
    const line = result.text[0];
    expect(line.confidence).toBe(92.5);
    // Union of the kept words: x 0..140, y 10..30 of a 200 x 100 image.
    expect(line.boundingBox).toEqual({ left: 0, top: 0.1, width: 0.7, height: 0.2 });
  });

  it('keeps words of letters or digits in any script, from 70 % confidence', () => {
    const result = toTextResult(page([[word('Straße', 70, 0), word('١٢٣', 71, 50), word('—', 99, 100), word('ok', 69.9, 150)]]), 200, 100);
    expect(result.text.filter((t) => t.type === 'WORD').map((t) => t.text)).toEqual(['Straße', '١٢٣']);
  });

  it('answers an empty list for a page without blocks', () => {
    expect(toTextResult({ blocks: null } as unknown as Page, 10, 10)).toEqual({ text: [] });
  });
});
