#!/usr/bin/env bash
# nginx -t on deploy/nginx.conf without root paths: a throw-away wrapper (pid, logs, temp files in a temporary
# prefix) includes it, with a throw-away self-signed certificate in place of /etc/ssl/kunshan/.
set -euo pipefail
cd "$(dirname "$0")"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=portal.example.cn" \
  -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" >/dev/null 2>&1
sed "s#/etc/ssl/kunshan/#$dir/#g" nginx.conf > "$dir/kunshan.conf"
cat > "$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/kunshan.conf;
}
CONF
nginx -t -q -p "$dir" -c "$dir/nginx.conf"
echo "deploy/nginx.conf: nginx -t ok"
