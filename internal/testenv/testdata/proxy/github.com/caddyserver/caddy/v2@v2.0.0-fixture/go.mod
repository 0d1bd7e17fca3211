module github.com/caddyserver/caddy/v2

go 1.22
