module go.opentelemetry.io/collector/confmap/provider/envprovider

go 1.22

require go.opentelemetry.io/collector/confmap v1.1.0-fixture
