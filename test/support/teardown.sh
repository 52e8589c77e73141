#!/usr/bin/env bash
# Takes away what the test set-up added to the machine, as recorded by
# test/support/testUsers.sh: test users (their processes and home folders),
# test groups, files installed outside the repository (the polkit rule), and
# the modes and owners changed on sockets (put back as they were first found).
# test/run-all.sh runs it on exit, also after a failure or an interrupt. Safe
# to run twice; run as root. The private Docker daemon and its containers are
# left alone: other runs share them (`bash test/support/docker-daemon.sh stop`
# stops the daemon).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=testUsers.sh
. "$HERE/testUsers.sh"
[ "$(id -u)" = 0 ] || { echo "teardown.sh must run as root" >&2; exit 1; }
problems=0

# Only names a test could have made: a corrupt registry must not remove a real account.
test_name() { [[ $1 =~ ^dnc[a-z0-9-]{1,30}$ ]]; }

if [ -f "$DNC_TEST_USERS" ]; then
  while read -r user; do
    [ -n "$user" ] || continue
    test_name "$user" || { echo "teardown: not a test user name, left alone: '$user'" >&2; continue; }
    id "$user" >/dev/null 2>&1 || continue
    uid=$(id -u "$user")
    [ "$uid" -ge 1000 ] || { echo "teardown: $user has a system uid ($uid), left alone" >&2; continue; }
    # Whatever still runs as the test user (a code-server an interrupted run
    # left) would keep userdel from removing it.
    for _ in 1 2 3 4 5; do
      pids=$(pgrep -u "$uid" || true)
      [ -n "$pids" ] || break
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      sleep 0.2
    done
    if ! userdel --remove "$user" 2>/dev/null; then
      # userdel -r returns non-zero when the mail spool is missing, after removing the user.
      id "$user" >/dev/null 2>&1 && { echo "teardown: could not remove user $user" >&2; problems=1; }
    fi
    rm -rf "/home/$user"
  done <"$DNC_TEST_USERS"
  rm -f "$DNC_TEST_USERS"
fi

if [ -f "$DNC_TEST_MODES" ]; then
  while read -r mode owner path; do
    [ -n "$path" ] && [ -e "$path" ] || continue
    chown "$owner" "$path" 2>/dev/null || chown root:root "$path"
    # Never world-writable, even if that is how a set-up older than this
    # registry had left it when the first state was recorded.
    chmod "$mode" "$path" && chmod o-w "$path"
    [ ! -S "$path" ] || chmod o= "$path" # a socket's read bit means nothing to others: none at all
  done <"$DNC_TEST_MODES"
  rm -f "$DNC_TEST_MODES"
fi

polkit_changed=0
if [ -f "$DNC_TEST_FILES" ]; then
  while read -r path; do
    [ -n "$path" ] || continue
    [[ $path == /etc/polkit-1/* ]] && [ -e "$path" ] && polkit_changed=1
    rm -f -- "$path"
  done <"$DNC_TEST_FILES"
  rm -f "$DNC_TEST_FILES"
fi

if [ -f "$DNC_TEST_GROUPS" ]; then
  while read -r group; do
    [ -n "$group" ] || continue
    test_name "$group" || continue
    getent group "$group" >/dev/null || continue
    groupdel "$group" || { echo "teardown: could not remove group $group" >&2; problems=1; }
  done <"$DNC_TEST_GROUPS"
  rm -f "$DNC_TEST_GROUPS"
fi

# polkitd re-reads rules.d on inotify; give it a moment so the next pkexec
# already sees the rule gone.
[ "$polkit_changed" = 0 ] || sleep 1
exit $problems
