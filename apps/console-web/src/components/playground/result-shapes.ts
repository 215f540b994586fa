import type {
  BoundingBox,
  ComparedFace,
  FacesCompareResult,
  FacesDetectResult,
  LabelsDetectResult,
  TextDetectResult,
} from './gateway-results';
import type { PlaygroundOperation } from './operations';

/** How a box is drawn: colour and line style both differ, so that no kind is told apart by colour alone. */
export type Tone = 'face' | 'match' | 'unmatched' | 'label' | 'line' | 'word';

export interface BoxShape {
  kind: 'box';
  box: BoundingBox;
  tone: Tone;
  /** What the box marks, in words (its accessible name and hover title). */
  name: string;
  /** Written above the box (a label's name, a line's text, a match's similarity). */
  caption?: string;
}

export interface PointShape {
  kind: 'point';
  /** Ratios of the image's width and height. */
  x: number;
  y: number;
  /** The landmark's type, shown on hover. */
  name: string;
}

export type Shape = BoxShape | PointShape;

/** What to draw over each image of the call (the second one for faces.compare only), and a sentence saying it. */
export interface Drawing {
  first: Shape[];
  second?: Shape[];
  summary: string;
}

const percent = (value: number) => `${value.toFixed(1)} %`;
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The shapes of a successful answer, read as API.md defines each operation's body. */
export function drawingOf(operation: PlaygroundOperation, body: unknown): Drawing {
  switch (operation) {
    case 'faces.detect':
      return facesDrawing(body as FacesDetectResult);
    case 'faces.compare':
      return compareDrawing(body as FacesCompareResult);
    case 'labels.detect':
      return labelsDrawing(body as LabelsDetectResult);
    case 'text.detect':
      return textDrawing(body as TextDetectResult);
  }
}

function facesDrawing(result: FacesDetectResult): Drawing {
  const faces = result.faces ?? [];
  const first: Shape[] = [];
  let landmarks = 0;
  for (const face of faces) {
    first.push({ kind: 'box', box: face.boundingBox, tone: 'face', name: `face, ${percent(face.confidence)} confident`, caption: percent(face.confidence) });
    for (const landmark of face.landmarks ?? []) {
      first.push({ kind: 'point', x: landmark.x, y: landmark.y, name: landmark.type });
      landmarks++;
    }
  }
  return { first, summary: `${plural(faces.length, 'face')} found, with ${plural(landmarks, 'landmark')}.` };
}

function compareDrawing(result: FacesCompareResult): Drawing {
  const matches = result.matches ?? [];
  const unmatched = result.unmatchedFaces ?? [];
  const faceBox = (face: ComparedFace, tone: Tone, caption: string): BoxShape => ({ kind: 'box', box: face.boundingBox, tone, name: caption, caption });
  const first = result.sourceFace ? [faceBox(result.sourceFace, 'face', 'source face')] : [];
  const second = [
    ...matches.map((match) => faceBox(match.face, 'match', `match ${percent(match.similarity)}`)),
    ...unmatched.map((face) => faceBox(face, 'unmatched', 'no match')),
  ];
  const source = result.sourceFace ? 'A face was found in the first image' : 'No face was found in the first image';
  return { first, second, summary: `${source}; the second image has ${plural(matches.length, 'match', 'matches')} and ${plural(unmatched.length, 'other face')}.` };
}

function labelsDrawing(result: LabelsDetectResult): Drawing {
  const labels = result.labels ?? [];
  const first: Shape[] = labels.flatMap((label) =>
    (label.instances ?? []).map((instance): Shape => {
      const caption = `${label.name} ${percent(instance.confidence)}`;
      return { kind: 'box', box: instance.boundingBox, tone: 'label', name: `label ${caption}`, caption };
    }),
  );
  const names = labels.map((label) => label.name).join(', ');
  return { first, summary: `${plural(labels.length, 'label')}${names ? ` (${names})` : ''}, ${plural(first.length, 'box', 'boxes')} drawn.` };
}

function textDrawing(result: TextDetectResult): Drawing {
  const text = result.text ?? [];
  const lines = text.filter((entry) => entry.type === 'LINE');
  const words = text.filter((entry) => entry.type === 'WORD');
  const first: Shape[] = [
    ...words.map((word): Shape => ({ kind: 'box', box: word.boundingBox, tone: 'word', name: `word "${word.text}"` })),
    ...lines.map((line): Shape => ({ kind: 'box', box: line.boundingBox, tone: 'line', name: `line "${line.text}"`, caption: line.text })),
  ];
  return { first, summary: `${plural(lines.length, 'line')} and ${plural(words.length, 'word')} of text found.` };
}
