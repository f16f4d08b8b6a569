// SPDX-License-Identifier: BSD-2-Clause
// layout_probe.js -- appended (inside <script>) to a copy of a
// tlsrpt-summary HTML page by tests/scripts/t-summary-fleet-html.sh, then
// loaded in headless Chromium with --dump-dom: it measures the page as laid
// out at the window's size and writes what it saw into the DOM, in
// a pre element of id layout-probe, one fact a line, for layout_check.py:
//   viewport W H            the window's inner size
//   scroll W                the document's scrollWidth (W > viewport: the
//                           page runs off the right edge)
//   row ID NAME TOP BOTTOM  each row of #action and #below: its domain
//   over TAG TEXT           an element whose right edge is past the
//                           viewport (not inside a closed <details>)
//   screen TEXT             text shown (in part) above the viewport's
//                           bottom, for "nothing healthy on the first
//                           screen"
(function () {
	var vw = document.documentElement.clientWidth;
	var vh = window.innerHeight;
	var out = [];
	var hidden = function (el) {
		return el.closest("details:not([open])") !== null ||
			el.closest("#layout-probe") !== null;
	};
	var one = function (s) {
		return (s || "").replace(/\s+/g, " ").trim();
	};
	out.push("viewport " + vw + " " + vh);
	out.push("scroll " + document.documentElement.scrollWidth);
	["action", "below"].forEach(function (id) {
		var box = document.getElementById(id);
		if (box === null)
			return;
		for (var i = 0; i < box.children.length; i++) {
			var row = box.children[i];
			var dom = row.querySelector(".dom");
			var r = row.getBoundingClientRect();
			out.push("row " + id + " " + one(dom ? dom.textContent : "?") +
				" " + Math.round(r.top) + " " + Math.round(r.bottom));
		}
	});
	var all = document.body.getElementsByTagName("*");
	for (var i = 0; i < all.length; i++) {
		var r = all[i].getBoundingClientRect();
		if (r.width > 0 && r.right > vw + 0.5 && !hidden(all[i]))
			out.push("over " + all[i].tagName + " " +
				one(all[i].textContent).slice(0, 80));
	}
	var walk = document.createTreeWalker(document.body,
		NodeFilter.SHOW_TEXT);
	for (var n = walk.nextNode(); n !== null; n = walk.nextNode()) {
		if (one(n.nodeValue) === "" || hidden(n.parentElement))
			continue;
		var range = document.createRange();
		range.selectNodeContents(n);
		var rects = range.getClientRects();
		for (var k = 0; k < rects.length; k++) {
			if (rects[k].height > 0 && rects[k].top < vh) {
				out.push("screen " + one(n.nodeValue));
				break;
			}
		}
	}
	var pre = document.createElement("pre");
	pre.id = "layout-probe";
	pre.textContent = out.join(String.fromCharCode(10));
	document.body.appendChild(pre);
})();
