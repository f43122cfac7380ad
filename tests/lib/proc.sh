# Background processes of the suites (sourced): waiting for a server to say
# it is ready, and stopping it.

# proc_wait_log FILE PATTERN PID [TENTHS]: wait until FILE has a line that
# matches PATTERN (grep), for at most TENTHS tenths of a second (150:
# python3 through a pyenv shim took 4 s to start on a loaded 2-CPU machine).
# Non-zero when PID exits first or the time runs out.
proc_wait_log() {
	local i
	for i in $(seq "${4:-150}"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# proc_stop VAR: stop the background process whose pid the variable VAR
# holds, wait for it, and empty VAR. Quiet when VAR is empty.
proc_stop() {
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	printf -v "$1" '%s' ''
}
