// The layout of the suite's /form/feedback view (form_feedback.ex) as a
// file: a `dom` option that brings back phx-feedback-for (removed in
// LiveView 1.0) by toggling the class phx-no-feedback after each patch,
// from the client's isUsedInput. app.js passes the module's exports.
window.liveSocketOptions = ({ isUsedInput }) => {
  const resetFeedbacks = (container, feedbacks) => {
    feedbacks =
      feedbacks ||
      Array.from(container.querySelectorAll("[phx-feedback-for]")).map((el) => [
        el,
        el.getAttribute("phx-feedback-for"),
      ]);
    feedbacks.forEach(([feedbackEl, name]) => {
      const query = `[name="${name}"], [name="${name}[]"]`;
      const isUsed = Array.from(container.querySelectorAll(query)).find((input) => isUsedInput(input));
      if (isUsed || !feedbackEl.hasAttribute("phx-feedback-for")) {
        feedbackEl.classList.remove("phx-no-feedback");
      } else {
        feedbackEl.classList.add("phx-no-feedback");
      }
    });
  };

  const phxFeedbackDom = (dom) => {
    window.addEventListener("reset", () => resetFeedbacks(document));
    let feedbacks;
    let submitPending = false;
    let inputPending = false;
    window.addEventListener("submit", (e) => (submitPending = e.target));
    window.addEventListener("input", (e) => (inputPending = e.target));
    return {
      onPatchStart(container) {
        feedbacks = [];
        dom.onPatchStart && dom.onPatchStart(container);
      },
      onNodeAdded(node) {
        if (node.hasAttribute && node.hasAttribute("phx-feedback-for")) {
          feedbacks.push([node, node.getAttribute("phx-feedback-for")]);
        }
        dom.onNodeAdded && dom.onNodeAdded(node);
      },
      onBeforeElUpdated(from, to) {
        const fromFor = from.getAttribute("phx-feedback-for");
        const toFor = to.getAttribute("phx-feedback-for");
        if (fromFor || toFor) {
          feedbacks.push([from, fromFor || toFor], [to, toFor || fromFor]);
        }
        dom.onBeforeElUpdated && dom.onBeforeElUpdated(from, to);
      },
      onPatchEnd(container) {
        resetFeedbacks(container, feedbacks);
        // a patch may skip some feedback nodes: after a submit or an input,
        // reset them all
        if (inputPending || submitPending) {
          resetFeedbacks(container);
          inputPending = null;
          submitPending = null;
        }
        dom.onPatchEnd && dom.onPatchEnd(container);
      },
    };
  };
  return { dom: phxFeedbackDom({}) };
};
