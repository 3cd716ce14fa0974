// msgpackr treats a missing extractor as "use the JavaScript decoder".
module.exports = null;
