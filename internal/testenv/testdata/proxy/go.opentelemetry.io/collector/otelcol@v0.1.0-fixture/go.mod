module go.opentelemetry.io/collector/otelcol

go 1.22

require (
	go.opentelemetry.io/collector v1.1.0-fixture
	go.opentelemetry.io/collector/confmap v1.1.0-fixture
	go.opentelemetry.io/collector/service v0.1.0-fixture
	golang.org/x/sys v0.1.0-fixture
)
