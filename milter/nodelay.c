/* SPDX-License-Identifier: BSD-2-Clause */
/* nodelay.c -- TCP_NODELAY on libmilter's listening socket (see nodelay.h). */
#include "milter/nodelay.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

int
milter_listen_nodelay(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int changed = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		int fd, listening = 0, domain = 0, one = 1;
		socklen_t len = sizeof(int);
		struct stat st;
		char *end;

		fd = (int)strtol(de->d_name, &end, 10);
		if (*end != '\0' || fd == dirfd(d) || fstat(fd, &st) != 0 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			       &len) != 0 ||
		    !listening)
			continue;
		len = sizeof(int);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 ||
		    (domain != AF_INET && domain != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)) == 0)
			changed++;
	}
	closedir(d);
	return changed;
}
