// SPDX-License-Identifier: MIT
// A sliding window over a state that can merge but not remove records (the Givens factor):
// the two-stacks form of sliding-window aggregation. Records never leave a state; the
// window's state is the merge of two states each built by adding rows only, so a window's
// fit has the accuracy of a fresh fit of its records however long the stream.
#pragma once

#include <cstddef>  // std::size_t
#include <vector>   // the front stack

namespace streamreg::multivariate::detail {

/// The window's records split in two runs, oldest first: the front (older) and the back
/// (newer). The back is one state the newer records were added to in order. The front is a
/// stack of suffix states: the top holds every front record, the one below it every front
/// record but the oldest, and so on, so the oldest record leaves by a pop. When a record must
/// leave and the front is empty, every record held moves to the front (a flip: each added
/// once, newest first), so a record is added to two states over its life and the cost per
/// record is O(K²) amortised, plus one merge of two states per fit.
template <class State>
class two_stacks {
 public:
  /// Rows are added to states built as State(k, intercept).
  void reset(int k, bool intercept) {
    k_ = k;
    intercept_ = intercept;
    front_size_ = 0;
    back_ = State(k, intercept);
  }

  std::size_t front_size() const noexcept { return front_size_; }

  /// The oldest front record leaves (front_size() > 0).
  void pop() noexcept { --front_size_; }

  /// A newer record: its row z, response y and weight w.
  template <class Vector, class Scalar>
  void push(const Vector& z, const Scalar& y, const Scalar& w) {
    back_.add(z, y, w);
  }

  /// Every one of `n` records held (oldest first) moves to the front: `row(i, z, y, w)`
  /// gives record i's row, response and weight in the coordinates to hold them in. The back
  /// becomes empty.
  template <class Vector, class Scalar, class Row>
  void flip(std::size_t n, Row&& row) {
    if (front_.size() < n) front_.resize(n, State(k_, intercept_));
    State sum(k_, intercept_);
    Vector z(k_);
    Scalar y{}, w{};
    for (std::size_t i = n; i-- > 0;) {
      row(i, z, y, w);
      sum.add(z, y, w);
      front_[n - 1 - i] = sum;  // records i .. n−1
    }
    front_size_ = n;
    back_ = State(k_, intercept_);
  }

  /// Loading a checkpoint: the first `front` of the `n` records held make the front (as the
  /// flip made it), the others are added to the back in order. The states equal those of the
  /// run that saved it, bit for bit: a suffix state depends only on its records.
  template <class Vector, class Scalar, class Row>
  void restore(std::size_t front, std::size_t n, Row&& row) {
    flip<Vector, Scalar>(front, row);
    Vector z(k_);
    Scalar y{}, w{};
    for (std::size_t i = front; i < n; ++i) {
      row(i, z, y, w);
      back_.add(z, y, w);
    }
  }

  /// The state of every record held: the front's top merged with the back.
  void combine(State& out) const {
    if (front_size_ == 0) {
      out = back_;
      return;
    }
    out = front_[front_size_ - 1];
    if (back_.counts().n > 0) out.merge(back_);
  }

 private:
  std::vector<State> front_;  // front_[j]: the newest j + 1 front records (capacity reused)
  std::size_t front_size_ = 0;
  State back_;
  int k_ = 0;
  bool intercept_ = false;
};

}  // namespace streamreg::multivariate::detail
