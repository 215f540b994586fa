import type { Pose } from '@nomosly/contracts';
import { clamp, mean, type Point } from './geometry';

/** The five points every detector gives (Rekognition's eyeLeft, eyeRight, nose, mouthLeft, mouthRight), in pixels. */
export interface FivePoints {
  eyeLeft: Point;
  eyeRight: Point;
  nose: Point;
  mouthLeft: Point;
  mouthRight: Point;
}

/*
 * Head pose from five 2-D points, with a rigid face model instead of a fitted 3-D one:
 * - eye centres lie in one plane with the mouth, the nose tip stands in front of that plane;
 * - the nose tip's depth is NOSE_DEPTH_PER_EYE_SPAN of the distance between the eye centres (adult
 *   anthropometry: ~35 mm for ~63 mm), and NOSE_DEPTH_PER_EYE_MOUTH of the eye-to-mouth height (~70 mm);
 * - seen from the front, the nose tip sits FRONTAL_NOSE_HEIGHT of the way down from the eye line to the mouth
 *   (the iBUG 68-point mean shape).
 * Turning the head by an angle moves the nose tip sideways (or up) by depth * sin while the eye span (or the
 * eye-mouth height) shrinks by cos, hence the arctangents below. Expect errors of some 10 degrees, more past
 * 45 degrees of yaw, where the far eye's landmarks are guesses.
 *
 * Signs, in the image as seen: roll is positive when the face is turned clockwise (the eye on the image's
 * right is lower); yaw is positive when the face turns towards the image's right; pitch is positive when the
 * face looks up.
 */
const NOSE_DEPTH_PER_EYE_SPAN = 0.55;
const NOSE_DEPTH_PER_EYE_MOUTH = 0.5;
const FRONTAL_NOSE_HEIGHT = 0.56;

const degrees = (radians: number): number => Math.round(((radians * 180) / Math.PI) * 100) / 100;

export function poseFromPoints(points: FivePoints): Pose {
  const eyes = midpoint(points.eyeLeft, points.eyeRight);
  const mouth = midpoint(points.mouthLeft, points.mouthRight);
  const roll = Math.atan2(points.eyeRight.y - points.eyeLeft.y, points.eyeRight.x - points.eyeLeft.x);
  // In the face's own frame: the eye line horizontal, x along it, y down towards the mouth.
  const upright = (p: Point): Point => rotate({ x: p.x - eyes.x, y: p.y - eyes.y }, -roll);
  const eyeSpan = Math.hypot(points.eyeRight.x - points.eyeLeft.x, points.eyeRight.y - points.eyeLeft.y);
  const nose = upright(points.nose);
  const mouthHeight = upright(mouth).y;
  if (eyeSpan <= 0 || mouthHeight <= 0) return { roll: clamp(degrees(roll), -180, 180), yaw: 0, pitch: 0 };
  const yaw = Math.atan(nose.x / eyeSpan / NOSE_DEPTH_PER_EYE_SPAN);
  const pitch = Math.atan((FRONTAL_NOSE_HEIGHT - nose.y / mouthHeight) / NOSE_DEPTH_PER_EYE_MOUTH);
  return { roll: clamp(degrees(roll), -180, 180), yaw: degrees(yaw), pitch: degrees(pitch) };
}

function midpoint(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function rotate(p: Point, angle: number): Point {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return { x: p.x * cos - p.y * sin, y: p.x * sin + p.y * cos };
}

/** Rekognition's five points from the 68-point (iBUG) layout, in pixels; undefined without 68 points. */
export function fivePoints(points: readonly Point[]): FivePoints | undefined {
  if (points.length !== 68) return undefined;
  // Points 36-41 are the eye on the image's left (the subject's right): Rekognition's eyeLeft is the one
  // on the left of the image too.
  return {
    eyeLeft: mean(points.slice(36, 42)),
    eyeRight: mean(points.slice(42, 48)),
    nose: points[30],
    mouthLeft: points[48],
    mouthRight: points[54],
  };
}

/** The pose of a face from its 68 landmarks; level and frontal when there are none. */
export function poseOf68(points: readonly Point[]): Pose {
  const five = fivePoints(points);
  return five ? poseFromPoints(five) : { roll: 0, yaw: 0, pitch: 0 };
}
