#!/usr/bin/env bash
# Weir test service (copied from shared/docs/test-services/push-tags.sh, used by the registry tests).
# Push N tags of a tiny OCI image to a registry with curl only (no docker), or list tags.
#
#   push-tags.sh URL REPO N [PREFIX]        # tags PREFIX-<sha7>-<n>, n=1..N (default PREFIX=main)
#   push-tags.sh --list URL REPO [PAGE]     # print all tags, following Link rel="next" (page size PAGE)
#
# URL like http://127.0.0.1:5000. Credentials from REG_USER/REG_PASS; works with no auth,
# basic auth and the Bearer token flow (token fetched from the realm in WWW-Authenticate).
# One config blob + one layer blob are uploaded; each tag gets its own manifest (an
# annotation differs) so every tag has a distinct digest. Manifests go out through a single
# curl process (-K config, 8 parallel transfers).
set -euo pipefail

auth_header() {   # $1=URL $2=REPO $3=actions -> prints one "Header: value" line
  local ch realm service
  ch=$(curl -s -o /dev/null -D - "$1/v2/" | tr -d '\r' | grep -i '^www-authenticate:' || true)
  case $ch in
    *Bearer*)
      realm=$(sed -E 's/.*realm="([^"]*)".*/\1/' <<<"$ch"); service=$(sed -E 's/.*service="([^"]*)".*/\1/' <<<"$ch")
      echo "Authorization: Bearer $(curl -sf -u "$REG_USER:$REG_PASS" -G --data-urlencode "service=$service" \
        --data-urlencode "scope=repository:$2:$3" "$realm" | jq -er .token)" ;;
    *Basic*) echo "Authorization: Basic $(printf %s "$REG_USER:$REG_PASS" | base64 -w0)" ;;
    *) echo "X-No-Auth: 1" ;;
  esac
}

push_blob() {   # $1=URL $2=REPO $3=file ; monolithic upload: POST (get Location) + PUT ?digest=
  local loc digest sep
  digest=sha256:$(sha256sum "$3" | cut -d' ' -f1)
  loc=$(curl -sf -X POST -H "$AUTH" -D - -o /dev/null "$1/v2/$2/blobs/uploads/" \
        | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')
  case $loc in /*) loc=$1$loc ;; esac
  case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sf -X PUT -H "$AUTH" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$3" -o /dev/null "$loc${sep}digest=$digest"
  echo "$digest $(stat -c %s "$3")"
}

push() {
  local url=$1 repo=$2 n=$3 prefix=${4:-main} cfg lyr i sha m
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  AUTH=$(auth_header "$url" "$repo" pull,push)
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}' > "$tmp/config.json"
  mkdir "$tmp/l" && echo hello > "$tmp/l/hello.txt" && tar -C "$tmp/l" -czf "$tmp/layer.tgz" hello.txt
  read -r -a cfg <<<"$(push_blob "$url" "$repo" "$tmp/config.json")"
  read -r -a lyr <<<"$(push_blob "$url" "$repo" "$tmp/layer.tgz")"
  for i in $(seq 1 "$n"); do
    sha=$(printf '%07x' $(( (i * 2654435761) % 268435456 )))
    m='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    m+='"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"'${cfg[0]}'","size":'${cfg[1]}'},'
    m+='"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"'${lyr[0]}'","size":'${lyr[1]}'}],'
    m+='"annotations":{"org.opencontainers.image.revision":"'$sha'"}}'
    [ "$i" -gt 1 ] && echo next
    printf 'url = "%s/v2/%s/manifests/%s-%s-%s"\nrequest = "PUT"\n' "$url" "$repo" "$prefix" "$sha" "$i"
    printf 'header = "Content-Type: application/vnd.oci.image.manifest.v1+json"\nheader = "%s"\n' "$AUTH"
    printf 'data-binary = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "${m//\"/\\\"}"
  done > "$tmp/manifests.curlrc"
  curl -s --no-progress-meter --parallel --parallel-max 8 -K "$tmp/manifests.curlrc" > "$tmp/codes"
  if grep -qv '^201$' "$tmp/codes"; then echo "manifest PUT failures:" >&2; sort "$tmp/codes" | uniq -c >&2; exit 1; fi
  echo "pushed $n tags to $url/$repo"
}

list() {   # follows RFC 5988 Link: <path>; rel="next" (distribution 2.8 never sends one)
  local url=$1 repo=$2 page=${3:-100} next
  AUTH=$(auth_header "$url" "$repo" pull); hdr=$(mktemp); trap 'rm -f "$hdr"' EXIT
  next="/v2/$repo/tags/list?n=$page"
  while [ -n "$next" ]; do
    curl -sf -H "$AUTH" -D "$hdr" "$url$next" | jq -r '.tags[]?'
    next=$(tr -d '\r' < "$hdr" | sed -nE 's/^[Ll]ink: *<([^>]*)>.*rel="?next"?.*/\1/p')
    case $next in http*) next=${next#"$url"} ;; esac
  done
}

case ${1:-} in
  --list) shift; list "$@" ;;
  -*|"") sed -n '2,12p' "$0"; exit 2 ;;
  *) push "$@" ;;
esac
