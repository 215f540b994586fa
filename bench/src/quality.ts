import {
  CHECK_SET_GATES,
  GATE_RULE_SYMBOL,
  gateFigures,
  loadCheckSet,
  meetsGate,
  runCheckSet,
  type CheckSetReport,
  type Latency,
} from '@nomosly/testing';
import { createEngine } from '@nomosly/engines';
import { runBench } from './run-bench';

/**
 * `npm run bench:quality`: the local engine on the check set (fixtures/check-set, issue 15): per operation
 * precision and recall, the worst five images with the engine's answers, latency p50/p95, and the figures of
 * the issue's quality gates. Scoring: libs/testing/src/check-set.ts.
 */
const WORST = 5;

async function main(): Promise<void> {
  const set = loadCheckSet();
  const kinds = new Map<string, number>();
  for (const image of set.images) kinds.set(image.kind, (kinds.get(image.kind) ?? 0) + 1);
  const faces = set.images.flatMap((image) => image.faces.filter((face) => !face.ignore));
  const profile = faces.filter((face) => face.profile).length;
  const same = set.pairs.filter((pair) => pair.same).length;
  console.log(`check set: ${set.images.length} images (${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ')})`);
  console.log(`  ${faces.length} faces (${faces.length - profile} frontal, ${profile} profile); ${set.pairs.length} compare pairs (${same} same person, ${set.pairs.length - same} different)`);

  const engine = createEngine('local');
  const loadStarted = performance.now();
  await engine.start();
  try {
    console.log(`model load and warm-up: ${(performance.now() - loadStarted).toFixed(0)} ms\n`);
    const report = await runCheckSet(engine, { set });
    printReport(report);
  } finally {
    await engine.stop();
  }
}

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;
const box = (b: { left: number; top: number; width: number; height: number }): string =>
  `[${b.left.toFixed(2)},${b.top.toFixed(2)} ${b.width.toFixed(2)}x${b.height.toFixed(2)}]`;
const latency = (l: Latency): string => `p50 ${l.p50Ms.toFixed(0)} ms, p95 ${l.p95Ms.toFixed(0)} ms (${l.calls} calls)`;

function printReport(report: CheckSetReport): void {
  const { faces, compare, labels, text } = report;
  if (faces) {
    console.log(`faces.detect   precision ${pct(faces.precision)}, recall ${pct(faces.recall)} (${faces.found}/${faces.truthFaces}; frontal ${faces.frontal.found}/${faces.frontal.truth}, profile ${faces.profile.found}/${faces.profile.truth})`);
    console.log(`               false faces ${faces.falseFaces} (${faces.falseFacesPer20Images.toFixed(2)} per 20 images); missed faces boxed badly (a false box at IoU 0.2-0.4): ${faces.nearMisses}; ${latency(faces.latency)}`);
    const worst = [...faces.perImage].sort((a, b) => b.missed.length + b.falseFaces.length - (a.missed.length + a.falseFaces.length)).slice(0, WORST);
    for (const image of worst) {
      console.log(`  ${image.file}: ${image.found}/${image.truth} found, ${image.falseFaces.length} false; missed ${image.missed.map(box).join(' ') || '-'}; false ${image.falseFaces.map(box).join(' ') || '-'}`);
      console.log(`    answer: ${image.answer.map((f) => `${box(f.boundingBox)} ${f.confidence.toFixed(0)}`).join(' ') || 'no face'}`);
    }
  }
  if (compare) {
    console.log(`\nfaces.compare  same person (${compare.same.count}): min ${compare.same.min.toFixed(1)}, median ${compare.same.median.toFixed(1)}; different people (${compare.different.count}): max ${compare.different.max.toFixed(1)}, median ${compare.different.median.toFixed(1)}; ${latency(compare.latency)}`);
    // Worst: the same-person pairs scored lowest and the different-person pairs scored highest.
    const worst = [...compare.pairs].sort((a, b) => (a.same ? a.similarity : 100 - a.similarity) - (b.same ? b.similarity : 100 - b.similarity)).slice(0, WORST);
    for (const pair of worst) {
      console.log(`  ${pair.a} ~ ${pair.b} (${pair.same ? 'same' : 'different'}): similarity ${pair.similarity.toFixed(1)}${pair.sourceFound ? '' : ' (no face in the source)'}`);
    }
  }
  if (labels) {
    console.log(`\nlabels.detect  at confidence >= 50: precision ${pct(labels.precision)} (${labels.right}/${labels.returned}), recall ${pct(labels.recall)} (${labels.found}/${labels.expected}), absurd ${labels.absurd.length}; ${latency(labels.latency)}`);
    console.log(`  calibration (all labels): ${labels.calibration.map((bin) => `${bin.from}-${bin.to}: ${bin.count ? pct(bin.shareRight) : '-'} right of ${bin.count}`).join('; ')}`);
    for (const absurd of labels.absurd) console.log(`  absurd: ${absurd.file}: ${absurd.name} ${absurd.confidence.toFixed(0)}`);
    const worst = [...labels.perImage].sort((a, b) => b.missed.length + b.wrong.length - (a.missed.length + a.wrong.length)).slice(0, WORST);
    for (const image of worst) {
      console.log(`  ${image.file}: missed ${image.missed.join(', ') || '-'}; wrong ${image.wrong.map((l) => l.name).join(', ') || '-'}`);
      console.log(`    answer: ${image.answer.map((l) => `${l.name} ${l.confidence.toFixed(0)}`).join(', ') || 'no label'}`);
    }
  }
  if (text) {
    console.log(`\ntext.detect    word recall ${pct(text.recall)} (${text.found}/${text.truthWords}), precision ${pct(text.precision)}; ${latency(text.latency)}`);
    for (const image of [...text.perImage].sort((a, b) => a.recall - b.recall).slice(0, WORST)) {
      console.log(`  ${image.file}: ${image.found}/${image.truthWords} words; read: ${image.answerWords.join(' ').slice(0, 160) || 'nothing'}`);
    }
  }
  if (faces && compare && labels) {
    const figures = gateFigures(report);
    console.log('\nquality gates (issue 15)');
    for (const [name, gate] of Object.entries(CHECK_SET_GATES)) {
      const value = figures[name as keyof typeof CHECK_SET_GATES];
      const shown = name === 'faceRecall' ? pct(value) : value.toFixed(name === 'absurdLabels' ? 0 : 2);
      const rule = GATE_RULE_SYMBOL[gate.rule];
      console.log(`  ${gate.what.padEnd(48)} ${shown.padStart(8)}   (${rule} ${name === 'faceRecall' ? pct(gate.bound) : gate.bound})  ${meetsGate(gate, value) ? 'met' : 'NOT MET'}`);
    }
    console.log(`  ${'compare, same person: median similarity'.padEnd(48)} ${figures.compareSameMedian.toFixed(2).padStart(8)}`);
  }
}

runBench(main);
