module go.opentelemetry.io/collector/receiver/otlpreceiver

go 1.22

require go.opentelemetry.io/collector v1.1.0-fixture
