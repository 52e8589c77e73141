#!/usr/bin/env bash
# Makes the TLS files of a tcp+TLS engine test in folder $1: a CA, a server certificate
# for 127.0.0.1 signed by it, a client certificate signed by it, and a second, unrelated
# CA (the "wrong CA" a user might point at). All with openssl, nothing leaves the folder.
set -euo pipefail
D=$1
cd "$D"
q() { "$@" >/dev/null 2>&1; }
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dnc-test-ca -keyout ca-key.pem -out ca.pem
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=dnc-other-ca -keyout other-ca-key.pem -out other-ca.pem
q openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
q openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem
q openssl req -newkey rsa:2048 -nodes -subj /CN=dnc-client -keyout key.pem -out client.csr
printf 'extendedKeyUsage=clientAuth\n' >client.ext
q openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out cert.pem
chmod 0600 ./*key.pem
