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

A ticket also lives only as long as the server holding it: Rasa gives every
ticket 60 seconds, so a replica killed while answering left its conversation
stuck for a minute, and the message waiting behind it often expired too and
got the apology. Here a server renews its ticket while it waits and while it
answers, and a ticket lasts TICKET_LIFETIME seconds past the last renewal.

endpoints.production.yml selects it with `type: bot.rasa_ext.lock_store.AtomicRedisLockStore`;
it takes the same settings as Rasa's `type: redis`.
"""

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError, WatchError

Result = TypeVar("Result")

logger = logging.getLogger(__name__)

# How long a conversation stays locked by a server that stopped renewing its
# ticket (it died); it renews four times within that.
TICKET_LIFETIME = 10.0


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

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = TICKET_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's LockStore.lock, renewing the ticket until it is handed back."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        renewing = asyncio.create_task(self._renew(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            renewing.cancel()
            self.cleanup(conversation_id, ticket)

    async def _renew(self, conversation_id: Text, ticket_number: int, lifetime: float) -> None:
        def renew(lock: TicketLock) -> None:
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = time.time() + lifetime

        while True:
            await asyncio.sleep(lifetime / 4)
            try:
                self._change(conversation_id, renew)
            except RedisError as error:  # Redis is back soon, or the message fails
                logger.warning("Could not renew a conversation's lock: %s", type(error).__name__)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = TICKET_LIFETIME) -> int:
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
        try:
            self.finish_serving(conversation_id, ticket_number)
        except RedisError as error:
            # The message was answered and saved; the ticket left behind
            # expires with its lifetime, so saying otherwise would be wrong.
            logger.warning("Could not hand back a conversation's lock: %s", type(error).__name__)
