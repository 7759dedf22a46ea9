// run_durable_match: recovery plan, journal thread, snapshots and control socket around
// a match-mode replay.
#include "tachyon/controlplane/durable_replay.h"

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include "tachyon/controlplane/config_store.h"
#include "tachyon/controlplane/config_watcher.h"
#include "tachyon/controlplane/control_server.h"
#include "tachyon/controlplane/engine_lifecycle.h"
#include "tachyon/controlplane/journal_reader.h"
#include "tachyon/controlplane/journal_writer.h"
#include "tachyon/controlplane/snapshot_store.h"

namespace tachyon::controlplane {

namespace journal = dataplane::journal;

std::string engine_metrics(const dataplane::PublishedEngineState& p) {
  std::string out;
  p.read([&](const dataplane::PublishedEngineState& s) {
    out.clear();
    const uint32_t n = s.sessions.load(std::memory_order_relaxed);
    auto gauge = [&](const char* name, const char* help, auto get) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
      for (uint32_t c = 0; c < n; ++c)
        out += std::string(name) + "{session=\"" + std::to_string(c) + "\"} " + std::to_string(get(s.session[c])) + "\n";
    };
    using Sess = dataplane::PublishedEngineState::Session;
    gauge("tachyon_position_gross_shares", "Sum over symbols of |position| of a session.",
          [](const Sess& x) { return x.gross.load(std::memory_order_relaxed); });
    gauge("tachyon_position_net_shares", "Sum over symbols of the position of a session.",
          [](const Sess& x) { return x.net.load(std::memory_order_relaxed); });
    gauge("tachyon_realized_pnl_price4", "Realized P&L of a session, Price(4) units times shares.",
          [](const Sess& x) { return x.realized.load(std::memory_order_relaxed); });
    gauge("tachyon_unrealized_pnl_price4",
          "Unrealized P&L of a session's open positions marked at each symbol's last trade, Price(4) units times "
          "shares.",
          [](const Sess& x) { return x.unrealized.load(std::memory_order_relaxed); });
    gauge("tachyon_open_orders", "Resting orders of a session.",
          [](const Sess& x) { return x.open_orders.load(std::memory_order_relaxed); });
    gauge("tachyon_risk_rejects", "Orders the session's risk gate refused.",
          [](const Sess& x) { return x.risk_rejects.load(std::memory_order_relaxed); });
    out += "# TYPE tachyon_journal_appended_records gauge\ntachyon_journal_appended_records " +
           std::to_string(s.journal_appended.load(std::memory_order_relaxed)) + "\n";
    out += "# TYPE tachyon_journal_durable_records gauge\ntachyon_journal_durable_records " +
           std::to_string(s.journal_durable.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP tachyon_journal_released_records Sequence number of the last journaled datagram sent (held until "
           "durable).\n# TYPE tachyon_journal_released_records gauge\ntachyon_journal_released_records " +
           std::to_string(s.journal_released.load(std::memory_order_relaxed)) + "\n";
    out += "# TYPE tachyon_engine_paused gauge\ntachyon_engine_paused " +
           std::string(s.paused.load(std::memory_order_relaxed) ? "1" : "0") + "\n";
    out += "# TYPE tachyon_engine_killed gauge\ntachyon_engine_killed " +
           std::string(s.killed.load(std::memory_order_relaxed) ? "1" : "0") + "\n";
  });
  return out;
}

dataplane::ReplaySummary run_durable_match(dataplane::ReplayOptions opt, const DurableOptions& d, DurableReport& report) {
  const std::string snapdir = d.snapshot_dir.empty() ? d.journal_path + ".snapshots" : d.snapshot_dir;
  struct stat st{};
  const bool exists = ::stat(d.journal_path.c_str(), &st) == 0 && st.st_size > 0;

  dataplane::RecoveryPlan plan;
  uint64_t next_seq = 1;
  JournalWriter::Options wo;
  wo.path = d.journal_path;
  wo.config_hash = d.config_hash;
  wo.fsync = d.fsync;
  wo.interval_ms = d.interval_ms;
  if (exists) {
    // Recovery: the newest snapshot the journal reaches, then every record after it.
    std::vector<std::pair<uint64_t, dataplane::RecoveryPlan::Record>> records;
    const JournalScan scan = scan_journal(d.journal_path, [&](const journal::RecordHeader& h, std::span<const uint8_t> p) {
      const auto type = static_cast<journal::RecordType>(h.type);
      if (type == journal::RecordType::kInput || type == journal::RecordType::kRefused ||
          type == journal::RecordType::kCommand)
        records.emplace_back(h.seq, dataplane::RecoveryPlan::Record{type, h.stream, {p.begin(), p.end()}});
    });
    report.recovered = true;
    report.journal_records_found = scan.records;
    if (!scan.clean) report.tail_problem = scan.problem;
    if (scan.header.config_hash != d.config_hash)
      report.snapshot_problems.push_back(d.journal_path + ": written under another configuration (hash " +
                                         std::to_string(scan.header.config_hash) + ", now " +
                                         std::to_string(d.config_hash) + ")");
    if (std::optional<SnapshotFile> snap = latest_snapshot(snapdir, scan.last_seq, report.snapshot_problems)) {
      plan.snapshot = std::move(snap->body);
      plan.snapshot_seq = snap->covers_seq;
      report.snapshot_used = snap->path;
    }
    for (auto& [seq, r] : records)
      if (seq > plan.snapshot_seq) plan.records.push_back(std::move(r));
    next_seq = scan.last_seq + 1;
    wo.append = true;
    wo.append_offset = scan.valid_bytes;
  }

  dataplane::JournalRing ring(1 << 13, next_seq);
  auto writer = std::make_unique<JournalWriter>(wo, ring);
  dataplane::CommandRing commands(256);
  dataplane::CommandRing config_commands(64);
  std::unique_ptr<ConfigStore> store;
  std::unique_ptr<ConfigWatcher> watcher;
  std::mutex reload_mu;
  std::vector<std::unique_ptr<dataplane::BreakerLimits>> reloaded_breakers;  // reloaded, for the core
  if (!d.config_paths.empty() && d.config) {
    store = std::make_unique<ConfigStore>(*d.config);
    watcher = std::make_unique<ConfigWatcher>(
        d.config_paths, *store, d.config_overrides, [&](const ConfigStore::Outcome& o) {
          std::string line;
          if (o.applied) {
            // Published Configs live as long as the store; the breaker limits are kept
            // here (converted), one per applied reload.
            const Config* now = store->current();
            dataplane::EngineCommand c;
            c.kind = dataplane::EngineCommand::kLimits;
            c.limits = &now->risk;
            dataplane::EngineCommand b;
            b.kind = dataplane::EngineCommand::kBreaker;
            {
              std::lock_guard<std::mutex> lock(reload_mu);
              reloaded_breakers.push_back(std::make_unique<dataplane::BreakerLimits>(breaker_limits(now->breaker)));
              b.breaker = reloaded_breakers.back().get();
            }
            const bool risk_ok = config_commands.try_push(c);
            const bool breaker_ok = config_commands.try_push(b);
            line = risk_ok && breaker_ok ? "applied (version " + std::to_string(store->version()) + ")"
                   : risk_ok             ? "valid but the command ring was full: breaker limits not applied"
                                         : "valid but the command ring was full: not applied";
          } else {
            line = "refused:";
            for (const std::string& p : o.problems) line += " " + p + ";";
          }
          std::lock_guard<std::mutex> lock(reload_mu);
          report.reloads.push_back(describe_paths(d.config_paths) + " reload " + line);
        });
  }
  std::atomic<bool> local_stop{false};
  std::atomic<bool>& stop = d.stop ? *d.stop : local_stop;
  EngineLifecycle lifecycle;  // init: recovering until the core takes input
  std::unique_ptr<ControlServer> server;
  if (!d.control_socket.empty())
    server = std::make_unique<ControlServer>(d.control_socket, commands, stop, lifecycle);

  opt.durability.journal = &ring;
  opt.durability.recovery = exists ? &plan : nullptr;
  opt.durability.snapshot_every = d.snapshot_every;
  opt.durability.commands = &commands;
  opt.durability.config_commands = &config_commands;
  opt.durability.stop = &stop;
  opt.durability.write_snapshot = [&](uint64_t covers, std::vector<uint8_t>&& body) {
    write_snapshot(snapdir, covers, d.config_hash, body);
    // Keep the three newest snapshots.
    std::vector<std::filesystem::path> all;
    for (const auto& e : std::filesystem::directory_iterator(snapdir))
      if (e.path().extension() == ".tsnap") all.push_back(e.path());
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i + 3 < all.size(); ++i) std::filesystem::remove(all[i]);
  };
  dataplane::PublishedEngineState published;
  opt.durability.published = &published;
  opt.durability.on_stage = [&](dataplane::CoreStage stage, bool paused) {
    if (stage == dataplane::CoreStage::kTakingInput)
      lifecycle.move(EngineRunState::kInit, paused ? EngineRunState::kPaused : EngineRunState::kRunning);
    else
      lifecycle.stop();
  };
  dataplane::ReplaySummary sum;
  try {
    if (d.profile) {
      ProfileSessionOptions po = *d.profile;
      if (server) po.control = [&](const std::string& line) { return server->handle(line); };
      po.extra_metrics = [&] { return engine_metrics(published); };
      po.extra_health = [&] {
        return "\"engine\":\"" + std::string(to_string(lifecycle.state())) + "\",\"engine_states\":" +
               lifecycle.history_json();
      };
      sum = replay_profiled(opt, po);
    } else {
      sum = dataplane::replay(opt);
    }
  } catch (...) {
    lifecycle.finish();
    throw;
  }
  watcher.reset();
  ring.sync();
  const std::string err = writer->error();
  report.fsyncs = writer->fsyncs();
  report.journal_bytes = writer->bytes_written();
  writer.reset();  // flush, fsync and stop the journal thread
  lifecycle.finish();  // stopped: the journal is flushed and synced
  report.engine_states = lifecycle.history_text();
  report.engine_states_json = lifecycle.history_json();
  if (!err.empty()) throw dataplane::ReplayError(err);
  return sum;
}

}  // namespace tachyon::controlplane
