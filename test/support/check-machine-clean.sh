#!/usr/bin/env bash
# Fails (and says what) when the machine has a door left open after the tests:
# a user with an empty password, a polkit rule that says yes without asking, a
# world-writable Docker socket. The same three checks the project's session
# hook makes; test/run-all.sh runs this after test/support/teardown.sh.
set -uo pipefail
open=0

empty=$(for u in $(getent passwd | awk -F: '$3>=1000 && $3<60000{print $1}'); do passwd -S "$u"; done | awk '$2=="NP"')
if [ -n "$empty" ]; then echo "users with an empty password:"; echo "$empty"; open=1; fi

rules=$(grep -l 'Result.YES' /etc/polkit-1/rules.d/*.rules 2>/dev/null)
if [ -n "$rules" ]; then echo "polkit rules that grant without asking:"; echo "$rules"; open=1; fi

sockets=$(find /tmp /run /var/run -maxdepth 3 -type s -name '*docker*.sock' -perm -o+w 2>/dev/null)
if [ -n "$sockets" ]; then echo "world-writable Docker sockets:"; echo "$sockets"; open=1; fi

[ "$open" = 0 ] && echo "machine clean: no empty passwords, no yes-granting polkit rules, no world-writable Docker sockets"
exit $open
