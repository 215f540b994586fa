import { Injectable } from '@nestjs/common';
import { type Profile, ProfileService, RestrictionService } from '@nomosly/accounts';
import { KeyEventsPublisher } from '../events/key-events.publisher';

/**
 * `PUT /api/me/restriction`: once the change is committed, every workspace the user owns is announced, so that
 * every gateway looks its keys up again (and refuses them, or serves them again) within a second. A workspace the
 * user comes to own later is not announced: its keys carry the restriction from their next lookup.
 */
@Injectable()
export class ProcessingRestriction {
  constructor(
    private readonly restrictions: RestrictionService,
    private readonly profiles: ProfileService,
    private readonly events: KeyEventsPublisher,
  ) {}

  /** Answers the user's profile (GET /api/me's body) once the gateways have been told. */
  async set(userId: string, restricted: boolean): Promise<Profile> {
    const { ownedWorkspaceIds } = await this.restrictions.setRestricted(userId, restricted);
    await Promise.all(ownedWorkspaceIds.map((workspaceId) => this.events.publish({ type: 'workspace', workspaceId })));
    return this.profiles.get(userId);
  }
}
