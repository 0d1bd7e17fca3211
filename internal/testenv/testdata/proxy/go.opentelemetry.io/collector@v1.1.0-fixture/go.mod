module go.opentelemetry.io/collector

go 1.22
