# shellcheck shell=bash
# What the test set-up adds to the machine, recorded so that
# test/support/teardown.sh can take all of it away again (test/run-all.sh runs
# it on exit, also after a failure or Ctrl-C). Source this file, then:
#
#   dnc_test_group_add dnc-docker               # a group, removed at teardown
#   dnc_test_user_add dnc-e2e [GROUP...]        # a user with a LOCKED password and a home,
#                                               #   removed with its home at teardown
#   dnc_test_file_add /etc/polkit-1/rules.d/x   # a file installed outside the repo, deleted
#   dnc_test_mode_set PATH MODE [OWNER:GROUP]   # chmod/chown; the first recorded state is
#                                               #   put back at teardown
#
# Conventions (for whoever adds an sshd user, a rootless Podman user, a second
# daemon...):
#   - every test user and group is named dnc-... and created through these
#     functions (or, from TypeScript, appended one name per line to
#     /run/dnc-test-users before useradd), never with an empty password:
#     polkit rules and `runuser` do not need one;
#   - access to a daemon socket goes through a group (dnc-docker, mode 0660),
#     never a world-writable mode;
#   - the registries live in /run (tmpfs): they vanish with a reboot, as does
#     what they list under /run and /tmp, but users and /etc files survive a
#     reboot, so run teardown.sh before that if a run was killed hard.
# Registries: one entry per line; the first entry for a path wins (mode file).
DNC_TEST_REGISTRY=${DNC_TEST_REGISTRY:-/run}
DNC_TEST_USERS=$DNC_TEST_REGISTRY/dnc-test-users
DNC_TEST_GROUPS=$DNC_TEST_REGISTRY/dnc-test-groups
DNC_TEST_FILES=$DNC_TEST_REGISTRY/dnc-test-files
DNC_TEST_MODES=$DNC_TEST_REGISTRY/dnc-test-modes

_dnc_register() { # FILE LINE: appends LINE unless it is already there
  touch "$1"
  grep -qxF -- "$2" "$1" || printf '%s\n' "$2" >>"$1"
}

_dnc_check_name() {
  [[ $1 =~ ^dnc-[a-z0-9-]{1,28}$ ]] || { echo "test users and groups are named dnc-...: '$1'" >&2; return 1; }
}

dnc_test_group_add() {
  _dnc_check_name "$1" || return 1
  _dnc_register "$DNC_TEST_GROUPS" "$1" # recorded first: a failed groupadd is still cleaned up
  getent group "$1" >/dev/null || groupadd "$1"
}

dnc_test_user_add() {
  local name=$1 group
  shift
  _dnc_check_name "$name" || return 1
  _dnc_register "$DNC_TEST_USERS" "$name"
  if ! id "$name" >/dev/null 2>&1; then
    # useradd leaves the password locked ("!" in /etc/shadow, `passwd -S`: L).
    useradd --create-home --shell /bin/bash "$name"
  fi
  # A user left by an older set-up may have an empty password: lock it.
  if [ "$(passwd -S "$name" | awk '{print $2}')" = NP ]; then passwd -l "$name" >/dev/null; fi
  for group in "$@"; do
    id -nG "$name" | tr ' ' '\n' | grep -qxF "$group" || usermod -aG "$group" "$name"
  done
}

dnc_test_file_add() {
  [[ $1 == /* ]] || { echo "dnc_test_file_add needs an absolute path: '$1'" >&2; return 1; }
  _dnc_register "$DNC_TEST_FILES" "$1"
}

dnc_test_mode_set() { # PATH MODE [OWNER:GROUP]
  local path=$1 mode=$2 owner=${3:-}
  [ -e "$path" ] || { echo "dnc_test_mode_set: no such path: $path" >&2; return 1; }
  touch "$DNC_TEST_MODES"
  # Remember the state before the first change only: later calls see our own.
  if ! awk -v p="$path" '$3 == p { found = 1 } END { exit !found }' "$DNC_TEST_MODES"; then
    stat -c '%a %U:%G %n' "$path" >>"$DNC_TEST_MODES"
  fi
  [ -z "$owner" ] || chown "$owner" "$path"
  chmod "$mode" "$path"
}
