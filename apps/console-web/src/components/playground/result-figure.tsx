import { useId, useState } from 'react';
import type { Drawing, Shape, Tone } from './result-shapes';

/** A picked image as the figure shows it: its name, and an object URL (blob:, which the console's CSP admits). */
export interface ShownImage {
  name: string;
  url: string;
}

interface Size {
  width: number;
  height: number;
}

const LEGEND: Record<Tone, string> = {
  face: 'face',
  match: 'matching face',
  unmatched: 'face that does not match',
  label: 'label',
  line: 'line of text',
  word: 'word',
};

/**
 * The call's image(s) with what the gateway found drawn over them: one image named "Result" (CONSOLE.md), each
 * mark in it an image of its own named for what it marks (a face, a landmark, a label, a line or word of text).
 */
export function ResultFigure({ images, drawing }: { images: readonly ShownImage[]; drawing: Drawing }) {
  const [first, second] = images;
  const tones = new Set([...drawing.first, ...(drawing.second ?? [])].flatMap((shape) => (shape.kind === 'box' ? [shape.tone] : [])));
  const hasPoints = drawing.first.some((shape) => shape.kind === 'point');
  const summaryId = useId();
  return (
    <figure className="playground-result">
      <div role="img" aria-label="Result" aria-describedby={summaryId} className="playground-images">
        {first ? <AnnotatedImage image={first} shapes={drawing.first} caption={drawing.second ? 'Source' : undefined} /> : null}
        {second && drawing.second ? <AnnotatedImage image={second} shapes={drawing.second} caption="Target" /> : null}
      </div>
      <figcaption>
        <span id={summaryId}>{drawing.summary}</span>
        {tones.size || hasPoints ? (
          <span className="legend">
            {[...tones].map((tone) => (
              <span key={tone} className={`legend-item legend-${tone}`}>
                {LEGEND[tone]}
              </span>
            ))}
            {hasPoints ? <span className="legend-item legend-point">landmark</span> : null}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

function AnnotatedImage({ image, shapes, caption }: { image: ShownImage; shapes: Shape[]; caption?: string }) {
  const [size, setSize] = useState<Size | null>(null);
  return (
    <div className="overlay-image">
      {caption ? <p className="muted overlay-caption">{caption}</p> : null}
      <div className="overlay-frame">
        {/* Named by the Result around it, which the marks describe. */}
        <img
          src={image.url}
          alt=""
          onLoad={(event) => setSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })}
        />
        {size ? <Overlay size={size} shapes={shapes} /> : null}
      </div>
    </div>
  );
}

/** Drawn in the image's own pixels (the browser shows the image as the gateway read it, EXIF orientation applied). */
function Overlay({ size, shapes }: { size: Size; shapes: Shape[] }) {
  const { width, height } = size;
  const longest = Math.max(width, height);
  const fontSize = Math.max(10, Math.round(longest / 40));
  const radius = Math.max(2, longest / 160);
  return (
    // Presentation only: the marks inside are the images (a bare <svg> would count as one more).
    <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="presentation" focusable="false">
      {shapes.map((shape, index) =>
        shape.kind === 'point' ? (
          <circle key={index} role="img" aria-label={`landmark ${shape.name}`} className="shape-point" cx={shape.x * width} cy={shape.y * height} r={radius}>
            <title>{`landmark ${shape.name}`}</title>
          </circle>
        ) : (
          <g key={index} role="img" aria-label={shape.name}>
            <title>{shape.name}</title>
            <rect
              className={`shape shape-${shape.tone}`}
              x={shape.box.left * width}
              y={shape.box.top * height}
              width={shape.box.width * width}
              height={shape.box.height * height}
              vectorEffect="non-scaling-stroke"
            />
            {shape.caption ? (
              <text
                className="shape-caption"
                x={shape.box.left * width}
                // Above the box, or inside it when the box touches the top edge.
                y={shape.box.top * height > fontSize * 1.2 ? shape.box.top * height - fontSize * 0.3 : shape.box.top * height + fontSize}
                fontSize={fontSize}
                strokeWidth={fontSize / 6}
              >
                {shape.caption}
              </text>
            ) : null}
          </g>
        ),
      )}
    </svg>
  );
}
