"""Idempotent consumer: a handler's effect and its inbox row commit together; offsets only afterwards."""

from accord.shared.inbox.consumer import BatchEffect, Delivered, EventHandler, IdempotentConsumer
from accord.shared.inbox.subscriber import Subscribed, subscribe

__all__ = ["BatchEffect", "Delivered", "EventHandler", "IdempotentConsumer", "Subscribed", "subscribe"]
