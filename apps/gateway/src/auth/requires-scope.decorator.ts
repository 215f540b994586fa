import { SetMetadata } from '@nestjs/common';
import type { Scope } from '@nomosly/contracts';

export const REQUIRED_SCOPE = 'nomosly:required-scope';

/** The scope an API key needs for this route. */
export const RequiresScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
