// The part of VS Code's webview API the inspector uses, recording everything.
(() => {
  const stateKey = 'inspector-harness-state';
  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage(message) {
        window.__posted.push(message);
      },
      getState() {
        const saved = sessionStorage.getItem(stateKey);
        return saved ? JSON.parse(saved) : undefined;
      },
      setState(state) {
        sessionStorage.setItem(stateKey, JSON.stringify(state));
      },
    };
  };
})();
