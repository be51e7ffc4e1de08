"""What Accord publishes for others to build on, generated from code: the AsyncAPI document of every service
(docs/asyncapi/), the event catalogue (docs/events.md) and who may read and write which topic (Kafka ACLs).

Run from a checkout, where every service is installed: the services are found by importing them by name.
"""
