import { Injectable } from '@nestjs/common';
import { MemberService } from '@nomosly/accounts';
import { KeyEventsPublisher } from '../events/key-events.publisher';

/** Removing a member: the keys they created in the workspace are revoked with them and announced to the gateways. */
@Injectable()
export class MembersService {
  constructor(
    private readonly members: MemberService,
    private readonly events: KeyEventsPublisher,
  ) {}

  /** Answers once the gateways have been told, so a 204 means those keys are refused everywhere within a second. */
  async remove(workspaceId: string, userId: string): Promise<void> {
    await this.events.announceKeys(await this.members.remove(workspaceId, userId));
  }
}
