module go.opentelemetry.io/collector/exporter/debugexporter

go 1.22

require go.opentelemetry.io/collector v1.1.0-fixture
