import { z } from 'zod';
import { env, loadConfig } from '@nomosly/config';
import { createEngine } from '@nomosly/engines';
import { consoleShutdownLog, stopOnSignals } from '@nomosly/observability';
import { AwsError, statusOfAwsError } from './operations';
import { startStandIn } from './server';

/** `npm run rekognition-local`: the Rekognition stand-in on its own, answering from the local engine. */
async function main(): Promise<void> {
  const config = loadConfig(
    z.object({
      PORT: env.port(4566),
      HOST: env.host('127.0.0.1'),
      SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(),
      AWS_ACCESS_KEY_ID: z.string({ message: 'expected the test access key id the SDK signs with' }).min(1),
      AWS_SECRET_ACCESS_KEY: z.string({ message: 'expected the test secret access key the SDK signs with' }).min(1),
      TESSDATA_FILE: z.string().min(1).default('/usr/share/tesseract-ocr/5/tessdata/eng.traineddata'),
      /** Fault injection for clients' tests: every call answers with this AWS error instead of running. */
      REKOGNITION_LOCAL_FAULT: z
        .string()
        .regex(/^[A-Z][A-Za-z]+$/, 'expected an AWS error name such as ThrottlingException')
        .optional(),
    }),
  );
  const fault = config.REKOGNITION_LOCAL_FAULT;
  const engine = createEngine('local', { tessdataFile: config.TESSDATA_FILE });
  await engine.start();
  const standIn = await startStandIn({
    engine,
    credentials: { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY },
    port: config.PORT,
    host: config.HOST,
    fault: fault ? () => new AwsError(fault, `${fault} (injected by REKOGNITION_LOCAL_FAULT)`, statusOfAwsError(fault)) : undefined,
  });
  console.log(`rekognition-local ${standIn.url}`);
  stopOnSignals({
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    log: consoleShutdownLog('rekognition-local'),
    stop: async () => {
      await standIn.close();
      await engine.stop();
    },
  });
}

main().catch((error: Error) => {
  console.error(`rekognition-local: ${error.message}`);
  process.exit(1);
});
