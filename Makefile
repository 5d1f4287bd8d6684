# SPDX-License-Identifier: GPL-2.0
#
# flowstream: kernel modules (kmod/) and the flowctl tool (ctl/).
#
#   make                 build the modules for KDIR and flowctl
#   make install         install both (modules_install, flowctl, man page)
#   make dkms-install    register, build and install the modules with DKMS
#                        for KVER (default: the running kernel)
#   make check           the whole test suite (see Documentation/testing.rst)
#   make demo            boot the test VM and show flowstream at work
#   make bench           flowstream against ipt_NETFLOW and conntrack (VM),
#                        then bench-balance
#   make bench-balance   the prefix load balancer's algorithm alone, on the
#                        host (BENCH_BAL_ARGS: its options, e.g. -n 20)

VERSION := 0.1.0
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PREFIX ?= /usr/local
DESTDIR ?=
DKMS_SRC := $(DESTDIR)/usr/src/flowstream-$(VERSION)

all: modules flowctl

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

flowctl:
	$(MAKE) -C ctl

install: modules_install
	$(MAKE) -C ctl install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 uapi/linux/flowstream.h \
		$(DESTDIR)$(PREFIX)/include/linux/flowstream.h
	install -D -m 0644 include/flowstream/pm.h \
		$(DESTDIR)$(PREFIX)/include/flowstream/pm.h
	install -D -m 0644 Module.symvers \
		$(DESTDIR)$(PREFIX)/lib/flowstream/$(KVER)/Module.symvers

dkms-install:
	-dkms remove -m flowstream -v $(VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild Makefile dkms.conf kmod pm include uapi $(DKMS_SRC)/
	rm -f $(DKMS_SRC)/kmod/*.o $(DKMS_SRC)/kmod/*.ko $(DKMS_SRC)/kmod/.*.cmd \
		$(DKMS_SRC)/pm/*.o $(DKMS_SRC)/pm/*.ko $(DKMS_SRC)/pm/.*.cmd
	dkms add -m flowstream -v $(VERSION)
	dkms build -m flowstream -v $(VERSION) -k $(KVER)
	dkms install -m flowstream -v $(VERSION) -k $(KVER)

dkms-remove:
	dkms remove -m flowstream -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

check:
	selftests/check.sh

demo:
	selftests/vm/demo.sh

bench:
	selftests/bench/bench.sh

bench-balance:
	$(MAKE) -C ctl bench-balance
	ctl/bench/bench-balance $(BENCH_BAL_ARGS)

clean-modules:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean

clean: clean-modules
	$(MAKE) -C ctl clean

.PHONY: all modules modules_install flowctl install dkms-install dkms-remove \
	check demo bench bench-balance clean clean-modules
