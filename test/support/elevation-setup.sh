#!/usr/bin/env bash
# Real elevation for tests, as a real desktop would do it: an ordinary test
# user, the system D-Bus, polkitd, and a polkit rule that lets that user (and
# no one else) run pkexec without the password dialog. The rule is the
# dialog's decision made in advance; pkexec, polkit and the root process are
# the real ones. Idempotent; run as root.
set -euo pipefail
E2E_USER=${DNC_E2E_USER:-dnc-e2e}
# A second user that polkit refuses: stands in for a cancelled password dialog.
DENIED_USER=${DNC_DENIED_USER:-dnc-denied}
# A third user for whom polkit wants a password but no agent is there to ask:
# a session without a polkit agent.
NOAGENT_USER=${DNC_NOAGENT_USER:-dnc-noagent}

# shellcheck source=testUsers.sh
. "$(dirname "$0")/testUsers.sh"
# Locked passwords (nobody can log in as them); polkit's rule and runuser need
# none. In dnc-docker so they reach the private daemon (docker-daemon.sh makes
# the group). test/support/teardown.sh removes them and the rule.
dnc_test_group_add dnc-docker
for u in "$E2E_USER" "$DENIED_USER" "$NOAGENT_USER"; do
  dnc_test_user_add "$u" dnc-docker
done

mkdir -p /run/dbus
if ! pgrep -x dbus-daemon >/dev/null || [ ! -S /run/dbus/system_bus_socket ]; then
  rm -f /run/dbus/pid
  dbus-daemon --system --fork
fi
RULE=/etc/polkit-1/rules.d/49-dnc-e2e.rules
dnc_test_file_add "$RULE"
cat >"$RULE.tmp" <<RULES
// Docker Network Capture tests: lets the test user "$E2E_USER" (and no one
// else) run pkexec without an authentication dialog; "$DENIED_USER" is refused;
// "$NOAGENT_USER" would need a password, and no agent is running to ask for it.
polkit.addRule(function (action, subject) {
  if (action.id == "org.freedesktop.policykit.exec" && subject.user == "$E2E_USER") {
    return polkit.Result.YES;
  }
  if (action.id == "org.freedesktop.policykit.exec" && subject.user == "$DENIED_USER") {
    return polkit.Result.NO;
  }
  if (action.id == "org.freedesktop.policykit.exec" && subject.user == "$NOAGENT_USER") {
    return polkit.Result.AUTH_ADMIN;
  }
});
RULES
rule_changed=0
if ! cmp -s "$RULE.tmp" "$RULE"; then mv "$RULE.tmp" "$RULE"; rule_changed=1; else rm -f "$RULE.tmp"; fi
if ! pgrep -f /usr/lib/polkit-1/polkitd >/dev/null; then
  nohup /usr/lib/polkit-1/polkitd --no-debug >/var/log/dnc-polkitd.log 2>&1 &
  for _ in $(seq 1 50); do
    dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q 'boolean true' && break
    sleep 0.1
  done
elif [ "$rule_changed" = 1 ]; then
  sleep 1 # polkitd reloads rules.d on inotify
fi
