"""A Redis lock store that Rasa servers sharing one Redis can rely on.

Several Rasa replicas take turns on a conversation through a ticket lock kept
in Redis. Rasa's RedisLockStore changes that lock by reading it, changing it
in Python and writing it back: two replicas receiving a message of the same
conversation at once both read the lock before either writes, get the same
ticket, and answer at the same time, interleaving and duplicating events in
the tracker store. Likewise a replica finishing can delete a ticket another
has just taken. Here every change to a lock is one Redis transaction
(WATCH/MULTI/EXEC, retried when another replica wrote in between), and a lock
with no tickets left is deleted in the same transaction.

endpoints.production.yml selects it with `type: bot.rasa_ext.lock_store.AtomicRedisLockStore`;
it takes the same settings as Rasa's `type: redis`.
"""

import json
from typing import Callable, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose every change to a lock is atomic across servers."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # How Rasa builds its own RedisLockStore from endpoints.yml.
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], Result]) -> Result:
        """Applies `change` to the conversation's lock in one transaction."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(key)
                    stored = transaction.get(key)
                    lock = (
                        TicketLock.from_dict(json.loads(stored))
                        if stored
                        else self.create_lock(conversation_id)
                    )
                    result = change(lock)
                    transaction.multi()
                    if lock.is_someone_waiting():
                        transaction.set(key, lock.dumps())
                    else:
                        transaction.delete(key)
                    transaction.execute()
                    return result
                except WatchError:
                    continue  # another server changed the lock: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Finishing deletes a lock left without tickets in the same transaction,
        # so a ticket issued meanwhile by another server is never deleted.
        self.finish_serving(conversation_id, ticket_number)
