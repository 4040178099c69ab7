# SPDX-License-Identifier: GPL-2.0-or-later
#
# md2man.awk: the Markdown of docs/ as a man page (pandoc is not in Debian's
# build set here). Usage:
#	awk -v title=FUSEBPF-FILTER -v section=7 -v version=0.1.0 -v name=fusebpf-filter \
#	    -v summary="writing fusebpf filters" -f md2man.awk GUIDE.md
# Handles what docs/filter-guide.md uses: # headings (the first is the
# title, dropped: NAME replaces it), ## and ### headings, paragraphs, - and
# 1. lists with indented continuation lines, ``` fences and tables (both
# kept preformatted), `code`, **bold** and [text](link) (the text).
function esc(s) {
	gsub(/\\/, "\\e", s)
	return s
}
function inline(s,    out, m) {
	s = esc(s)
	while (match(s, /\[[^]]*\]\([^)]*\)/)) {
		m = substr(s, RSTART, RLENGTH)
		sub(/\]\(.*/, "", m)
		s = substr(s, 1, RSTART - 1) substr(m, 2) substr(s, RSTART + RLENGTH)
	}
	while (match(s, /\*\*[^*]+\*\*/))
		s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" substr(s, RSTART + RLENGTH)
	while (match(s, /`[^`]+`/))
		s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" substr(s, RSTART + RLENGTH)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}
function pre(s) {
	s = esc(s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}
BEGIN {
	printf ".TH %s %s \"\" \"fusebpf %s\" \"fusebpf\"\n", title, section, version
	printf ".SH NAME\n%s \\- %s\n.SH DESCRIPTION\n", name, summary
	fence = 0; table = 0; seen_title = 0
}
fence {
	if ($0 ~ /^```/) { print ".fi\n.RE"; fence = 0; next }
	print pre($0); next
}
/^```/ { print ".PP\n.RS 4\n.nf"; fence = 1; next }
table && !/^\|/ { print ".fi\n.RE"; table = 0 }
/^\|/ {
	if (!table) { print ".PP\n.RS 4\n.nf"; table = 1 }
	if ($0 ~ /^\|[-|: ]+\|$/) next
	line = $0
	gsub(/`/, "", line)
	print pre(line); next
}
/^# / { if (!seen_title) { seen_title = 1; next } }
/^#+ / {
	level = index($0, " ") - 1
	text = substr($0, level + 2)
	gsub(/`/, "", text)
	if (level <= 2) printf ".SH \"%s\"\n", toupper(esc(text))
	else printf ".SS \"%s\"\n", esc(text)
	next
}
/^[ \t]*$/ { para = 1; next }
/^- / { print ".IP \\(bu 2"; print inline(substr($0, 3)); para = 0; next }
/^[0-9]+\. / { n = $0; sub(/\..*/, "", n); printf ".IP %s. 4\n", n; t = $0; sub(/^[0-9]+\. /, "", t); print inline(t); para = 0; next }
{
	if (para) { print ".PP"; para = 0 }
	t = $0
	sub(/^[ \t]+/, "", t)
	print inline(t)
}
END {
	if (fence || table) print ".fi\n.RE"
	print ".SH \"SEE ALSO\""
	print "fusebpf(8)"
}
