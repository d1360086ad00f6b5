#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <utility>
#include <vector>

#include "model/write_op.h"

namespace thrad {

// An I/O thread's CompletionSink: the writer's completions for the sessions of one io_context,
// a whole batch's in one post (issue 18: one hand-over, and at most one wake-up of the thread's
// epoll, per batch instead of per request). Each function resumes one session's coroutine.
class IoCompletionSink final : public CompletionSink {
 public:
  explicit IoCompletionSink(boost::asio::io_context& io) : io_(io) {}

  void Run(std::vector<std::function<void()>> done) override {
    boost::asio::post(io_, [done = std::move(done)]() mutable {
      for (std::function<void()>& f : done) f();
    });
  }

 private:
  boost::asio::io_context& io_;
};

}  // namespace thrad
