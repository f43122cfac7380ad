/*
 * pxeinv state: events (see event.h).
 */
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
