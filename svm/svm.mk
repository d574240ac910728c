# svm.mk -- make fragment for the LiteSVM test cluster (svm/server.js: JSON-RPC over the real
# Bubblegum programs).  From the repo root:
#     make -f svm/svm.mk svm-setup   # Node >= 20.18 (scripts/node.sh) + npm ci into svm/node_modules
#     make -f svm/svm.mk svm-test    # the cluster's self-tests (node:test)
# or `include svm/svm.mk` from the main Makefile (the includer's default goal is kept).

SVM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
_svm_saved_default_goal := $(.DEFAULT_GOAL)
_svm_standalone := $(if $(filter 1,$(words $(MAKEFILE_LIST))),yes,)

.PHONY: svm-setup svm-test svm-clean

svm-setup:
	bash $(SVM_DIR)/setup.sh

svm-test:
	bash $(SVM_DIR)/run-tests.sh

svm-clean:
	rm -rf $(SVM_DIR)/node_modules $(SVM_DIR)/.node

ifeq ($(_svm_standalone),yes)
.DEFAULT_GOAL := svm-test
else
.DEFAULT_GOAL := $(_svm_saved_default_goal)
endif
