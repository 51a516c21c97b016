package ollama

import (
	"net"
	"net/url"
	"strconv"
	"strings"
)

// HostURL reads an OLLAMA_HOST value with Ollama's own rules
// (envconfig.Host): a bare host or host:port means http, with port 11434
// when none is given; http:// and https:// URLs default to ports 80 and
// 443; "ollama.com" means https://ollama.com:443. It is the base URL to
// pass to New. The empty value gives "".
func HostURL(value string) string {
	s := strings.Trim(strings.TrimSpace(value), "\"'")
	if s == "" {
		return ""
	}
	defaultPort := "11434"
	scheme, hostport, ok := strings.Cut(s, "://")
	switch {
	case !ok:
		scheme, hostport = "http", s
		if s == "ollama.com" {
			scheme, hostport = "https", "ollama.com:443"
		}
	case scheme == "http":
		defaultPort = "80"
	case scheme == "https":
		defaultPort = "443"
	}
	hostport, path, _ := strings.Cut(hostport, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = "127.0.0.1", defaultPort
		if ip := net.ParseIP(strings.Trim(hostport, "[]")); ip != nil {
			host = ip.String()
		} else if hostport != "" {
			host = hostport
		}
	}
	if n, err := strconv.ParseInt(port, 10, 32); err != nil || n > 65535 || n < 0 {
		port = defaultPort
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port), Path: path}
	return u.String()
}
