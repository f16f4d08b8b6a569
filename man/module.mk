# SPDX-License-Identifier: BSD-2-Clause
# man/ -- mdoc manual pages, checked with mandoc -Tlint.
MAN_PAGES := $(wildcard man/*.[1-8])

lint-man:
	@for m in $(MAN_PAGES); do mandoc -Tlint -Wwarning $$m || exit 1; done
