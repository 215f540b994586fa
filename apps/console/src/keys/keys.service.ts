import { Injectable } from '@nestjs/common';
import { ApiKeyService, type IssuedKey, type KeyChange, type KeyView, type NewKey } from '@nomosly/accounts';
import { KeyEventsPublisher } from '../events/key-events.publisher';

/** Key management for a workspace's members; every change is announced to the gateways once committed. */
@Injectable()
export class KeysService {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly events: KeyEventsPublisher,
  ) {}

  list(workspaceId: string): Promise<KeyView[]> {
    return this.keys.list(workspaceId);
  }

  create(workspaceId: string, userId: string, input: NewKey): Promise<IssuedKey> {
    return this.keys.create(workspaceId, userId, input);
  }

  async revoke(workspaceId: string, keyId: string, userId: string): Promise<KeyView> {
    return (await this.announced(await this.keys.revoke(workspaceId, keyId, userId))).key;
  }

  async rotate(workspaceId: string, keyId: string, userId: string, overlapSeconds: number | undefined): Promise<IssuedKey> {
    const { key, secret, previous } = await this.keys.rotate(workspaceId, keyId, userId, overlapSeconds);
    await this.announced(previous);
    return { key, secret };
  }

  async delete(workspaceId: string, keyId: string, userId: string): Promise<void> {
    await this.announced(await this.keys.delete(workspaceId, keyId, userId));
  }

  /**
   * Answers once the gateways have been told, so a 200 means the change is in force everywhere within a second;
   * if the events Redis cannot take the announcement, the change still stands and gateways drop their cached
   * copy when it expires (KEY_CACHE_TTL_MS, 30 s by default), which KeyEventsPublisher logs.
   */
  private async announced(change: KeyChange): Promise<KeyChange> {
    await this.events.announceKeys([change]);
    return change;
  }
}
