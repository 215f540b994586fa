import { ErrorCode, PublicError } from '@nomosly/contracts';
import { EngineUnavailableError } from '../engine';
import { toPublicError } from './rekognition-engine';

const awsError = (name: string) => Object.assign(new Error('AWS detail that must not reach the client'), { name });

describe('rekognition errors to API.md', () => {
  it.each([
    ['InvalidImageFormatException', ErrorCode.InvalidImage],
    ['ImageTooLargeException', ErrorCode.ImageTooLarge],
    ['InvalidParameterException', ErrorCode.InvalidRequest],
  ])('%s is a client mistake: %s', (name, code) => {
    const error = toPublicError(awsError(name));
    expect(error).toBeInstanceOf(PublicError);
    expect((error as PublicError).code).toBe(code);
    expect(error.message).not.toContain('AWS detail');
  });

  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'AccessDeniedException', 'UnrecognizedClientException', 'SomethingNew'])(
    '%s makes the engine unavailable (503), naming the AWS error for the operator only',
    (name) => {
      const error = toPublicError(awsError(name));
      expect(error).toBeInstanceOf(EngineUnavailableError);
      expect(error.message).toContain(name);
    },
  );
});
