package io.isthmus.lb.table;

import io.isthmus.lb.ip.IpAddress;

/** A backend as the compiler hands it to {@link ServiceTableBuilder}: becomes one backend slot. */
public record BackendSlot(IpAddress address, int port, int flags, int backendId) {
}
