package testapp

import (
	"bufio"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// SMTPSink is a real SMTP server on loopback that accepts every message and
// keeps it, for end-to-end tests of outgoing mail. It speaks enough of RFC
// 5321 for PocketBase's mailer: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type SMTPSink struct {
	Host string
	Port int

	listener net.Listener
	mu       sync.Mutex
	messages []SinkMessage
	// Refuse makes the sink answer every transaction with a 451 (temporary
	// failure), as an overloaded server would.
	refuse bool
}

// SinkMessage is one accepted message.
type SinkMessage struct {
	From       string
	Recipients []string
	Header     mail.Header
	Raw        string
}

// Subject returns the decoded subject.
func (m SinkMessage) Subject() string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// NewSMTPSink starts a sink that stops when the test ends.
func NewSMTPSink(t testing.TB) *SMTPSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	s := &SMTPSink{Host: "127.0.0.1", Port: addr.Port, listener: l}
	go s.serve()
	t.Cleanup(func() { l.Close() })
	return s
}

// SetRefuse switches temporary failures on or off.
func (s *SMTPSink) SetRefuse(refuse bool) {
	s.mu.Lock()
	s.refuse = refuse
	s.mu.Unlock()
}

// Messages returns the messages received so far.
func (s *SMTPSink) Messages() []SinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SinkMessage(nil), s.messages...)
}

// Addr is host:port.
func (s *SMTPSink) Addr() string { return s.Host + ":" + strconv.Itoa(s.Port) }

func (s *SMTPSink) serve() {
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		go s.handle(conn)
	}
}

func (s *SMTPSink) handle(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	reply := func(line string) {
		w.WriteString(line + "\r\n")
		w.Flush()
	}
	reply("220 sink ESMTP ready")
	var current SinkMessage
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			w.WriteString("250-sink greets you\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
			w.Flush()
		case strings.HasPrefix(cmd, "HELO"):
			reply("250 sink")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse {
				reply("451 4.3.0 try again later")
				continue
			}
			current = SinkMessage{From: address(line[len("MAIL FROM:"):])}
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			current.Recipients = append(current.Recipients, address(line[len("RCPT TO:"):]))
			reply("250 ok")
		case cmd == "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			current.Raw = b.String()
			if msg, err := mail.ReadMessage(strings.NewReader(current.Raw)); err == nil {
				current.Header = msg.Header
			}
			s.mu.Lock()
			s.messages = append(s.messages, current)
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "RSET", cmd == "NOOP":
			reply("250 ok")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 command not implemented")
		}
	}
}

func address(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i] // drop ESMTP parameters such as BODY=8BITMIME
	}
	return strings.Trim(s, "<>")
}
