# SPDX-License-Identifier: BSD-2-Clause
# dns/ -- the DNS side of TLS-RPT, apart from the reports: building the
# _smtp._tls TXT record, checking it (and MTA-STS's _mta-sts record and
# policy) with the C library's resolver. `tlsrpt-summary dns` is its
# command line. Needs only base/.
#
# Allocation rule: the seam (base/alloc.h) throughout.
DNS_SRCS := $(wildcard dns/*.c)
DNS_LIB := $(BUILD)/libtlsrpt-dns.a

# Made afresh: `ar rcs` alone keeps the member of a source file since
# removed (dns_record.o), and the linker may then take a symbol from it.
$(DNS_LIB): $(DNS_SRCS:%.c=$(BUILD)/%.o)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^
