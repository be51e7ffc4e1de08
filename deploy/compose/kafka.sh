#!/usr/bin/env bash
# docker-compose's broker, secured as in production (deploy/kafka/README.md): SASL_SSL with SCRAM-SHA-512 on a
# certificate from the local CA (the kafka-tls step, /etc/kafka/tls), KRaft's StandardAuthorizer, a principal and
# password per service, the operator and analytics. The controller listener takes only the broker's own
# certificate (mutual TLS, loopback). Passwords come from .accord/compose.env (`accord-ops dev-env`); users are
# created when a fresh volume is formatted.
#   kafka.sh broker  run the broker (the kafka service)
#   kafka.sh acls    apply the registry's ACLs, deploy/kafka/kafka-acls.sh (the kafka-acls step)
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_CLUSTER_ID:?}"
TLS=/etc/kafka/tls
ADMIN_CONFIG=/tmp/admin.properties

cat > "$ADMIN_CONFIG" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="accord-admin" password="${KAFKA_ADMIN_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=${TLS}/ca.crt
PROPERTIES

if [ "${1:-}" = acls ]; then
  KAFKA_BOOTSTRAP_SERVERS=kafka:9092 KAFKA_ADMIN_CONFIG="$ADMIN_CONFIG" KAFKA_ACLS=/opt/kafka/bin/kafka-acls.sh \
    exec bash /accord/kafka-acls.sh
fi

PROPS=/tmp/server.properties
cat > "$PROPS" <<PROPERTIES
node.id=1
process.roles=broker,controller
listeners=SASL_SSL://:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=SASL_SSL://kafka:9092
controller.listener.names=CONTROLLER
controller.quorum.voters=1@127.0.0.1:9093
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
listener.name.controller.ssl.client.auth=required
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="accord-admin" password="${KAFKA_ADMIN_PASSWORD}";
ssl.keystore.type=PEM
ssl.keystore.location=${TLS}/server.pem
ssl.truststore.type=PEM
ssl.truststore.location=${TLS}/ca.crt
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:accord-admin;User:CN=kafka
log.dirs=/var/lib/kafka/data
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

scram=()
for user in accord-admin accord-goals accord-progress accord-notifications accord-reporting accord-operator analytics; do
  case "$user" in
    accord-admin) password="$KAFKA_ADMIN_PASSWORD" ;;
    accord-operator) password="${ACCORD_OPERATOR_KAFKA_PASSWORD:?}" ;;
    analytics) password="${ACCORD_ANALYTICS_KAFKA_PASSWORD:?}" ;;
    *) variable="ACCORD_$(echo "${user#accord-}" | tr a-z A-Z)_KAFKA_PASSWORD"; password="${!variable:?$variable}" ;;
  esac
  scram+=(--add-scram "SCRAM-SHA-512=[name=${user},password=${password}]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$KAFKA_CLUSTER_ID" -c "$PROPS" "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$PROPS"
