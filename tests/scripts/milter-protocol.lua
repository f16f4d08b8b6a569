-- SPDX-License-Identifier: BSD-2-Clause
-- milter-protocol.lua -- one miltertest conversation with a running
-- tlsrpt-milter, driven by t-milter-protocol.sh. Prints "OK" when every
-- expectation held, else "FAIL: why" (miltertest prints nothing for a
-- failed assert, hence pcall).
--
-- Variables (miltertest -D name=value):
--   sock     the milter's socket (inet:PORT@127.0.0.1)
--   msgs     message files, separated by ',' (sent on ONE connection)
--   rcpt     envelope recipients, separated by ',' (default
--            tlsrpt@example.org)
--   delrcpt  "<address>" the milter must remove at EOM; "" none may be
--            removed (absent: not checked)
--   qid      queue id sent as macro {i} (absent: none sent)
--   chunks   body chunk sizes, cycled, e.g. "1,7,13" (default: 65535,
--            the largest chunk libmilter takes)
--   abort    abort the first message after this many body bytes, then
--            send the messages again on the same connection
--   expect   data-accept | eoh-accept | continue | discard | tempfail
--   header   prefix the added X-TLSRPT-Milter value must have ("" none)
--   quarantine  "yes": the milter must ask for quarantine
--   mail     "yes": play an MTA that cannot skip MAIL (SMFIP_NOMAIL not
--            offered), so the milter must take MAIL and still work
--   before_eom  a shell command run just before end of message (a signal
--            to the daemon while the message is in flight)

local function check(err, what)
	if err ~= nil then
		error(what .. ": " .. tostring(err))
	end
end

local function readfile(path)
	local f = io.open(path, "rb")
	if f == nil then
		error("cannot read " .. path)
	end
	local s = f:read("*a")
	f:close()
	return s
end

-- Headers as the MTA hands them (folded values keep a bare LF, as Postfix
-- sends them), body with CRLF line ends.
local function split_message(s)
	s = s:gsub("\r\n", "\n")
	local hdr, body = s:match("^(.-)\n\n(.*)$")
	if hdr == nil then
		error("no header/body separator")
	end
	local headers = {}
	for line in (hdr .. "\n"):gmatch("(.-)\n") do
		if line:match("^[ \t]") and #headers > 0 then
			headers[#headers].value = headers[#headers].value .. "\n" .. line
		else
			local name, value = line:match("^([^:]+):[ \t]*(.*)$")
			if name == nil then
				error("bad header line: " .. line)
			end
			headers[#headers + 1] = { name = name, value = value }
		end
	end
	return headers, (body:gsub("\n", "\r\n"))
end

local function sizes()
	local t = {}
	if chunks ~= nil then
		for n in chunks:gmatch("%d+") do
			t[#t + 1] = tonumber(n)
		end
	end
	return t
end

-- Send one message; returns the reply that ended it and how far it got.
local function send(conn, path, abort_at)
	local headers, body = split_message(readfile(path))
	if qid ~= nil then
		check(mt.macro(conn, SMFIC_MAIL, "i", qid), "macro")
	end
	-- An MTA that may skip MAIL does (the milter asks for SMFIP_NOMAIL);
	-- it still sends MAIL's macros, as the mt.macro above.
	if not mt.test_option(conn, SMFIP_NOMAIL) then
		check(mt.mailfrom(conn, "<noreply@reporter.test>"), "mailfrom")
	end
	for r in (rcpt or "tlsrpt@example.org"):gmatch("[^,]+") do
		check(mt.rcptto(conn, "<" .. r .. ">"), "rcptto " .. r)
	end
	check(mt.data(conn), "data")
	if mt.getreply(conn) == SMFIR_ACCEPT then
		return "data-accept"
	end
	for _, h in ipairs(headers) do
		check(mt.header(conn, h.name, h.value), "header " .. h.name)
	end
	check(mt.eoh(conn), "eoh")
	if mt.getreply(conn) == SMFIR_ACCEPT then
		return "eoh-accept"
	end
	local cs = sizes()
	local pos, i = 1, 1
	while pos <= #body do
		local n = #cs > 0 and cs[(i - 1) % #cs + 1] or 65535
		if abort_at ~= nil and pos + n > abort_at then
			check(mt.bodystring(conn, body:sub(pos, abort_at)), "body")
			check(mt.abort(conn), "abort")
			return "aborted"
		end
		check(mt.bodystring(conn, body:sub(pos, pos + n - 1)), "body")
		pos, i = pos + n, i + 1
	end
	if before_eom ~= nil then
		os.execute(before_eom)
	end
	check(mt.eom(conn), "eom")
	local r = mt.getreply(conn)
	if r == SMFIR_CONTINUE or r == SMFIR_ACCEPT then
		return "continue"
	elseif r == SMFIR_DISCARD then
		return "discard"
	elseif r == SMFIR_TEMPFAIL or r == SMFIR_REPLYCODE then
		return "tempfail"
	end
	return "reply " .. tostring(r)
end

local function expect_eom(conn)
	if header ~= nil and header ~= "" then
		local v = mt.getheader(conn, "X-TLSRPT-Milter", 0)
		if v == nil then
			error("no X-TLSRPT-Milter header added")
		end
		if v:sub(1, #header) ~= header then
			error("X-TLSRPT-Milter is \"" .. v .. "\", want \"" ..
			      header .. "...\"")
		end
	elseif header == "" and mt.eom_check(conn, MT_HDRADD, "X-TLSRPT-Milter") then
		error("a header was added: " .. mt.getheader(conn, "X-TLSRPT-Milter", 0))
	end
	if delrcpt ~= nil and delrcpt ~= "" and
	   not mt.eom_check(conn, MT_RCPTDELETE, delrcpt) then
		error("recipient " .. delrcpt .. " not removed")
	end
	if delrcpt == "" then
		for r in (rcpt or "tlsrpt@example.org"):gmatch("[^,]+") do
			if mt.eom_check(conn, MT_RCPTDELETE, "<" .. r .. ">") then
				error("recipient " .. r .. " removed")
			end
		end
	end
	if quarantine == "yes" and not mt.eom_check(conn, MT_QUARANTINE) then
		error("no quarantine requested")
	end
	if quarantine ~= "yes" and mt.eom_check(conn, MT_QUARANTINE) then
		error("quarantine requested")
	end
end

local function main()
	local conn = mt.connect(sock, 40, 0.25)
	if conn == nil then
		error("cannot connect to " .. sock)
	end
	-- SMFI_CURR_PROT (0x1FFFFF) without SMFIP_NOMAIL (0x4). miltertest
	-- takes the steps as its third argument, whatever its manual says.
	check(mt.negotiate(conn, nil, mail == "yes" and 0x1FFFFB or nil, nil),
	      "negotiate")
	-- Only what is needed crosses the socket, and collecting steps are
	-- not answered.
	local want = { NOHELO = SMFIP_NOHELO, NOCONNECT = SMFIP_NOCONNECT,
		       NOUNKNOWN = SMFIP_NOUNKNOWN, NR_HDR = SMFIP_NR_HDR,
		       NR_BODY = SMFIP_NR_BODY, NR_RCPT = SMFIP_NR_RCPT }
	if mail ~= "yes" then
		want.NOMAIL = SMFIP_NOMAIL
	elseif mt.test_option(conn, SMFIP_NOMAIL) then
		error("SMFIP_NOMAIL negotiated although not offered")
	end
	for name, opt in pairs(want) do
		if not mt.test_option(conn, opt) then
			error("SMFIP_" .. name .. " not negotiated")
		end
	end
	local list = {}
	for p in msgs:gmatch("[^,]+") do
		list[#list + 1] = p
	end
	if abort ~= nil then
		local got = send(conn, list[1], tonumber(abort))
		if got ~= "aborted" then
			error("abort: got " .. got)
		end
	end
	for _, p in ipairs(list) do
		local got = send(conn, p, nil)
		if got ~= expect then
			error(p .. ": got " .. got .. ", want " .. expect)
		end
		if got ~= "data-accept" and got ~= "eoh-accept" then
			expect_eom(conn)
		end
	end
	check(mt.disconnect(conn), "disconnect")
end

local ok, err = pcall(main)
if ok then
	mt.echo("OK")
else
	mt.echo("FAIL: " .. tostring(err))
end
