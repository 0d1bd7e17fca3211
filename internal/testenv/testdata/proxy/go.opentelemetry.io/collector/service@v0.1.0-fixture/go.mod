module go.opentelemetry.io/collector/service

go 1.22
