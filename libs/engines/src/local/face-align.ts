import { clipBox, mean, type PixelBox, type Point } from './geometry';
import { fivePoints } from './pose';

/** Side of the aligned crop handed to the recognition net (its own input size: no resampling after this one). */
export const ALIGNED_SIDE = 150;

/*
 * The crop follows face-api's "dlib alignment" (FaceLandmarks.align), measured to suit its recognition net:
 * a square EYE_MOUTH_SHARE of whose side is the mean eye-to-mouth distance, centred CENTER_DROP of the side
 * below the mean of the eyes and mouth. face-api takes that square upright from the image; here it is
 * turned with the face, so the eyes are level in the crop whatever the roll. The scale comes from the
 * eye-to-mouth distance rather than from the eye span alone, as a turned head (yaw) shrinks the eye span
 * far more than the eye-to-mouth distance.
 */
const EYE_MOUTH_SHARE = 0.45;
const CENTER_DROP = 0.07;

export interface Alignment {
  /** Angle of the line from the image-left eye to the image-right eye, radians (0 when level). */
  roll: number;
  /** Side of the square, in pixels of the image. */
  size: number;
  /** Centre of the square in the image. */
  center: Point;
}

/** Where the face's aligned square lies in the image, from its 68 (iBUG) landmarks; undefined without them. */
export function faceAlignment(points: readonly Point[]): Alignment | undefined {
  const five = fivePoints(points);
  if (!five) return undefined;
  const { eyeLeft: leftEye, eyeRight: rightEye } = five;
  // The whole mouth (48-67), steadier than Rekognition's two corners.
  const mouth = mean(points.slice(48, 68));
  const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
  const size = (distance(mouth, leftEye) + distance(mouth, rightEye)) / 2 / EYE_MOUTH_SHARE;
  if (!(size > 0)) return undefined;
  const roll = Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x);
  const middle = mean([leftEye, rightEye, mouth]);
  // "Below" in the face's own frame: perpendicular to the eye line.
  const drop = CENTER_DROP * size;
  return { roll, size, center: { x: middle.x - Math.sin(roll) * drop, y: middle.y + Math.cos(roll) * drop } };
}

/**
 * The projective transform (tf.image.transform's 8 numbers, mapping each output pixel to the image point it
 * samples) that cuts the aligned square out of the image as a `side` x `side` crop, eyes level.
 */
export function alignmentTransform({ roll, size, center }: Alignment, side: number = ALIGNED_SIDE): number[] {
  const scale = size / side;
  const cos = Math.cos(roll) * scale;
  const sin = Math.sin(roll) * scale;
  const mid = (side - 1) / 2;
  // image = center + R(roll) * scale * (output - mid)
  return [cos, -sin, center.x - cos * mid + sin * mid, sin, cos, center.y - sin * mid - cos * mid, 0, 0];
}

/** The part of the image the turned square covers (its upright bounding box, a pixel wider for the bilinear samples). */
export function alignedRegion({ roll, size, center }: Alignment): PixelBox {
  const half = (size * (Math.abs(Math.cos(roll)) + Math.abs(Math.sin(roll)))) / 2 + 1;
  return { x: center.x - half, y: center.y - half, width: 2 * half, height: 2 * half };
}

/** Forehead above the brows, as a share of the brow-to-chin height (Rekognition's boxes reach mid-forehead). */
const FOREHEAD_SHARE = 0.2;

/**
 * The face's box as Rekognition draws it, from its 68 (iBUG) landmarks: cheek to cheek along the jaw line (0-16),
 * chin at the bottom, and a forehead margin above the brows (17-26); clipped to the image. Undefined without them.
 */
export function faceBoxFromLandmarks(points: readonly Point[], imageWidth: number, imageHeight: number): PixelBox | undefined {
  if (points.length !== 68) return undefined;
  const outline = points.slice(0, 27);
  const left = Math.min(...outline.map((p) => p.x));
  const right = Math.max(...outline.map((p) => p.x));
  const chin = Math.max(...points.slice(0, 17).map((p) => p.y));
  const brows = Math.min(...points.slice(17, 27).map((p) => p.y));
  if (!(right > left && chin > brows)) return undefined;
  const top = brows - FOREHEAD_SHARE * (chin - brows);
  return clipBox({ x: left, y: top, width: right - left, height: chin - top }, imageWidth, imageHeight);
}
