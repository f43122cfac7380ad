/*
 * pxeinv state: events (see event.h).
 */
#include <string.h>

#include "event.h"

const char *event_action_name(enum event_action action)
{
	switch (action) {
	case EVENT_ADD:
		return "add";
	case EVENT_OLD:
		return "old";
	case EVENT_DEL:
		return "del";
	case EVENT_TFTP:
		return "tftp";
	case EVENT_INIT:
		return "init";
	}
	return "?";
}

int event_duid_mac(const char *duid, char *mac)
{
	/* "00:01:00:01:TT:TT:TT:TT:" + MAC, or "00:03:00:01:" + MAC */
	static const char llt[] = "00:01:00:01:", ll[] = "00:03:00:01:";
	const char *p;

	mac[0] = '\0';
	if (strncmp(duid, llt, sizeof(llt) - 1) == 0 &&
	    strlen(duid) == sizeof(llt) - 1 + 4 * 3 + 17)
		p = duid + sizeof(llt) - 1 + 4 * 3;
	else if (strncmp(duid, ll, sizeof(ll) - 1) == 0 &&
		 strlen(duid) == sizeof(ll) - 1 + 17)
		p = duid + sizeof(ll) - 1;
	else
		return 0;
	memcpy(mac, p, 17);
	mac[17] = '\0';
	return 1;
}
