// The journal tools and the control-socket client.
#include "tachyon/controlplane/engine_commands.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "tachyon/controlplane/config.h"
#include "tachyon/controlplane/control_server.h"
#include "tachyon/controlplane/journal_reader.h"
#include "tachyon/controlplane/json_writer.h"
#include "tachyon/controlplane/replay_report.h"
#include "tachyon/dataplane/book_digest.h"
#include "tachyon/dataplane/match_durability.h"
#include "tachyon/nic/pcap_writer.h"

extern "C" char** environ;  // the process environment (POSIX)

namespace tachyon::controlplane {

namespace journal = dataplane::journal;

struct EngineCommands::State {
  CLI::App* journal = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* dump = nullptr;
  CLI::App* replay = nullptr;
  CLI::App* ctl = nullptr;
  std::string file;
  bool json = false;
  uint64_t limit = 0;
  std::string snapshot_dir;
  std::vector<std::string> symbols;
  std::vector<std::string> config;
  std::string socket = "/tmp/tachyon.ctl";
  std::vector<std::string> words;
};

EngineCommands::EngineCommands(CLI::App& app) : s_(std::make_unique<State>()) {
  State& s = *s_;
  s.journal = app.add_subcommand("journal", "Inspect a match-mode journal: verify, dump or replay it.");
  s.journal->require_subcommand(1);
  s.verify = s.journal->add_subcommand("verify", "Check every record (CRC32C, sequence); exit 1 on a bad tail.");
  s.dump = s.journal->add_subcommand("dump", "Print the records (text, or JSON lines with --json).");
  s.replay = s.journal->add_subcommand("replay", "Rebuild the engine's state from the journal and its snapshots "
                                                 "and print the books (the files are not changed).");
  for (CLI::App* c : {s.verify, s.dump, s.replay}) {
    c->add_option("FILE", s.file, "Journal file")->required();
    c->add_flag("--json", s.json, "JSON output");
  }
  s.dump->add_option("--limit", s.limit, "Print at most this many records");
  s.replay->add_option("--snapshot-dir", s.snapshot_dir, "Snapshots (default: FILE.snapshots)");
  s.replay->add_option("--symbols", s.symbols, "The symbols the run was started with")->delimiter(',');
  s.replay->add_option("--config", s.config, "The configuration the run was started with (repeat --config for "
                                             "layered files, in the same order)")
      ->allow_extra_args(false);
  s.ctl = app.add_subcommand("ctl", "Send a command to a running appliance: pause, resume, halt SYM, unhalt SYM, "
                                    "kill, release, snapshot, status, stop.");
  s.ctl->add_option("--socket", s.socket, "Control socket (tachyon replay --ctl PATH)")->capture_default_str();
  s.ctl->add_option("COMMAND", s.words, "Command and argument")->required()->expected(1, 2);
}

EngineCommands::~EngineCommands() = default;

bool EngineCommands::parsed() const { return s_->journal->parsed() || s_->ctl->parsed(); }

namespace {

std::string describe_payload(const journal::RecordHeader& h, std::span<const uint8_t> p) {
  char buf[160];
  switch (static_cast<journal::RecordType>(h.type)) {
    case journal::RecordType::kInput:
    case journal::RecordType::kRefused: {
      if (p.size() < sizeof(journal::InputPrefix)) return "short input";
      journal::InputPrefix pre;
      std::memcpy(&pre, p.data(), sizeof pre);
      const char type = p.size() > sizeof pre ? static_cast<char>(p[sizeof pre]) : '?';
      std::snprintf(buf, sizeof buf, "client %u seq %llu ts %llu OUCH '%c' (%zu bytes)%s", h.stream,
                    static_cast<unsigned long long>(pre.stream_seq), static_cast<unsigned long long>(pre.capture_ns),
                    type, p.size() - sizeof pre,
                    h.type == static_cast<uint16_t>(journal::RecordType::kRefused) ? ", refused: engine busy" : "");
      return buf;
    }
    case journal::RecordType::kOutcome:
      std::snprintf(buf, sizeof buf, "%s datagram, %zu bytes",
                    h.stream == 0xFFFF ? "market data" : ("reply to client " + std::to_string(h.stream)).c_str(),
                    p.size());
      return buf;
    case journal::RecordType::kCommand: {
      // The record holds the command's first kJournalBytes (no pointers), then for
      // limits/breaker the values.
      if (p.size() < dataplane::EngineCommand::kJournalBytes) return "command (short record)";
      dataplane::EngineCommand c;
      std::memcpy(&c, p.data(), dataplane::EngineCommand::kJournalBytes);
      static const char* kNames[] = {"?",       "pause",  "resume", "halt",   "unhalt", "kill",
                                     "release", "snapshot", "client", "limits", "breaker"};
      std::snprintf(buf, sizeof buf, "command %s %.8s", c.kind <= 10 ? kNames[c.kind] : "?",
                    c.kind == 3 || c.kind == 4 ? c.symbol : "");
      return buf;
    }
    case journal::RecordType::kSnapshot: return "snapshot mark";
  }
  return "unknown";
}

int verify(const EngineCommands::State& s) {
  const JournalScan scan = scan_journal(s.file);
  if (s.json) {
    JsonWriter j;
    j.begin_object().field("file", s.file).field("records", scan.records).field("first_seq", scan.first_seq);
    j.field("last_seq", scan.last_seq).field("inputs", scan.by_type[1]).field("outcomes", scan.by_type[2]);
    j.field("commands", scan.by_type[4]).field("refused", scan.by_type[5]).field("valid_bytes", scan.valid_bytes).field("file_bytes", scan.file_bytes);
    j.field("config_hash", dataplane::to_hex(scan.header.config_hash)).field("clean", scan.clean);
    if (!scan.clean) j.field("problem", scan.problem).field("tail_offset", scan.tail_offset);
    j.end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    const std::string refused = scan.by_type[5] ? ", " + with_commas(scan.by_type[5]) + " refused" : "";
    std::printf("%s: %s records (%s inputs, %s outcomes, %s commands%s), sequence %llu..%llu, %s bytes, config %s\n",
                s.file.c_str(), with_commas(scan.records).c_str(), with_commas(scan.by_type[1]).c_str(),
                with_commas(scan.by_type[2]).c_str(), with_commas(scan.by_type[4]).c_str(), refused.c_str(),
                static_cast<unsigned long long>(scan.first_seq), static_cast<unsigned long long>(scan.last_seq),
                with_commas(scan.valid_bytes).c_str(), dataplane::to_hex(scan.header.config_hash).c_str());
    std::printf("%s\n", scan.clean ? "ok: every record is intact" : ("BAD TAIL: " + scan.problem).c_str());
  }
  return scan.clean ? 0 : 1;
}

int dump(const EngineCommands::State& s) {
  uint64_t n = 0;
  const JournalScan scan = scan_journal(s.file, [&](const journal::RecordHeader& h, std::span<const uint8_t> p) {
    if (s.limit && n >= s.limit) return;
    ++n;
    if (s.json) {
      JsonWriter j;
      j.begin_object().field("seq", h.seq).field("type", journal::to_string(static_cast<journal::RecordType>(h.type)));
      j.field("stream", h.stream).field("bytes", static_cast<uint64_t>(h.length)).field("what", describe_payload(h, p));
      j.end_object();
      std::printf("%s\n", j.str().c_str());
    } else {
      std::printf("%10llu  %-8s %s\n", static_cast<unsigned long long>(h.seq),
                  journal::to_string(static_cast<journal::RecordType>(h.type)), describe_payload(h, p).c_str());
    }
  });
  if (!scan.clean) std::fprintf(stderr, "tachyon: %s\n", scan.problem.c_str());
  return scan.clean ? 0 : 1;
}

int replay(const EngineCommands::State& s) {
  // Recover in a scratch copy, against an empty capture: the original files stay as they were.
  const std::filesystem::path tmp =
      std::filesystem::temp_directory_path() / ("tachyon-journal-replay-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(p, ec);
    }
  } cleanup{tmp};
  const std::string jcopy = (tmp / "journal").string();
  std::filesystem::copy_file(s.file, jcopy);
  const std::string snapdir = s.snapshot_dir.empty() ? s.file + ".snapshots" : s.snapshot_dir;
  if (std::filesystem::is_directory(snapdir))
    std::filesystem::copy(snapdir, (tmp / "snapshots").string(), std::filesystem::copy_options::recursive);
  const std::string empty = (tmp / "empty.pcap").string();
  {
    nic::PcapWriter w(empty, nic::UdpFlow{});
    w.close();
  }
  dataplane::ReplayOptions opt;
  opt.mode = dataplane::ReplayMode::kMatch;
  opt.input = empty;
  opt.symbols = s.symbols;
  // The capacities `tachyon replay --mode match` starts with unless configured.
  opt.book.max_orders = 1u << 20;
  opt.book.max_levels = 1u << 20;
  opt.book.max_symbols = 8192;
  DurableOptions d;
  d.journal_path = jcopy;
  d.snapshot_dir = (tmp / "snapshots").string();
  d.snapshot_every = 0;
  if (!s.config.empty()) {
    ConfigResult r = load_config(s.config, env_overrides(environ));
    if (!r.config) throw std::runtime_error(describe_paths(s.config) + ": " + r.errors.front().to_string());
    opt.book = r.config->book;
    opt.risk = r.config->risk;
    opt.breaker = breaker_limits(r.config->breaker);
    if (opt.symbols.empty()) opt.symbols = r.config->match.symbols;
    d.config_hash = r.config->hash;
  }
  DurableReport rep;
  dataplane::ReplaySummary sum = run_durable_match(opt, d, rep);
  sum.input = s.file + " (journal)";
  if (s.json) {
    std::printf("%s\n", format_summary_json(sum).c_str());
  } else {
    std::printf("%s%s", format_summary_text(sum).c_str(), format_durable_report(rep, s.file).c_str());
    for (const std::string& name : sum.names)
      if (!name.empty()) std::printf("\n%s", format_book(sum, name, 5).c_str());
  }
  return 0;
}

}  // namespace

int EngineCommands::run() {
  State& s = *s_;
  if (s.verify->parsed()) return verify(s);
  if (s.dump->parsed()) return dump(s);
  if (s.replay->parsed()) return replay(s);
  std::string line;
  for (const std::string& w : s.words) line += (line.empty() ? "" : " ") + w;
  const std::string reply = send_control_command(s.socket, line);
  std::printf("%s\n", reply.c_str());
  return reply.rfind("error", 0) == 0 ? 1 : 0;
}

std::string format_durable_report(const DurableReport& r, const std::string& journal_path) {
  std::string out;
  if (r.recovered) {
    out += "  recovery   resumed " + journal_path + " (" + with_commas(r.journal_records_found) + " valid records)";
    out += r.snapshot_used.empty() ? " from the start\n" : " from " + r.snapshot_used + "\n";
    if (!r.tail_problem.empty()) out += "  recovery   cut a bad tail: " + r.tail_problem + "\n";
  }
  for (const std::string& p : r.snapshot_problems) out += "  recovery   " + p + "\n";
  for (const std::string& p : r.reloads) out += "  config     " + p + "\n";
  out += "  durability " + with_commas(r.journal_bytes) + " journal bytes, " + with_commas(r.fsyncs) + " fsyncs\n";
  if (!r.engine_states.empty()) out += "  engine     " + r.engine_states + "\n";
  return out;
}

std::string format_durable_json(const DurableReport& r) {
  JsonWriter j;
  j.begin_object().field("recovered", r.recovered).field("journal_records_found", r.journal_records_found);
  if (!r.tail_problem.empty()) j.field("tail_problem", r.tail_problem);
  if (!r.snapshot_used.empty()) j.field("snapshot_used", r.snapshot_used);
  j.key("snapshot_problems").begin_array();
  for (const std::string& p : r.snapshot_problems) j.value(p);
  j.end_array().key("reloads").begin_array();
  for (const std::string& p : r.reloads) j.value(p);
  j.end_array().field("journal_bytes", r.journal_bytes).field("fsyncs", r.fsyncs).end_object();
  std::string out = j.str();
  // The run states as recorded (already a JSON array of names).
  if (!r.engine_states_json.empty()) out.insert(out.size() - 1, ",\"engine_states\":" + r.engine_states_json);
  return out;
}

}  // namespace tachyon::controlplane
